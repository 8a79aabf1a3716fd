/**
 * One user's message that the database refuses must fail alone, not every send
 * that shared its group commit: the batcher retries such a batch input by input.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../../server/store/group-commit';
import { openPostgresStore } from '../../../server/store/postgres';
import type { Store } from '../../../server/store/store';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL } from '../../support/services';

describe('a batch with one bad input', () => {
  it('commits the others one at a time when the error says so, and fails the whole batch otherwise', async () => {
    const commits: string[][] = [];
    const group = createGroupCommit<string, string>({
      commit: (batch) => {
        commits.push(batch);
        if (batch.includes('bad')) throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
        return batch.map((input) => `stored ${input}`);
      },
      isolate: (error) => (error as { code?: string }).code === '22021',
      failure: (error) => new Error(`unavailable: ${(error as Error).message}`),
    });
    const outcomes = await Promise.allSettled(['a', 'bad', 'c'].map((input) => group.submit(input)));
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : 'refused'))).toEqual([
      'stored a',
      'refused',
      'stored c',
    ]);
    expect(commits).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);

    const outage = createGroupCommit<string, string>({
      commit: () => {
        throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      },
      isolate: (error) => (error as { code?: string }).code === '22021',
      failure: (error) => new Error(`unavailable: ${(error as Error).message}`),
    });
    const down = await Promise.allSettled(['x', 'y'].map((input) => outage.submit(input)));
    expect(down.every((outcome) => outcome.status === 'rejected')).toBe(true);
  });
});

const pgAvailable = shouldRun('PostgreSQL batch isolation', await postgresProblem());

describe.skipIf(!pgAvailable)('on PostgreSQL', () => {
  const schema = freshSchemaName('chat_isolation');
  let store: Store | undefined;
  afterAll(async () => {
    await store?.close();
    await dropSchema(schema);
  });

  it('stores every other send of a batch that held a NUL byte, and refuses only that one', async () => {
    store = await openPostgresStore(TEST_DATABASE_URL, { schema });
    const ana = { id: 'ana-1', name: 'Ana' };
    const bob = { id: 'bob-1', name: 'Bob' };
    await store.createUser(ana, { id: 's-ana', tokenHash: 'hash-ana', device: 'test' });
    await store.createUser(bob, { id: 's-bob', tokenHash: 'hash-bob', device: 'test' });
    const opened = store;
    // Sent in one turn of the event loop: one group commit, which PostgreSQL refuses as a whole.
    const outcomes = await Promise.allSettled([
      opened.appendMessage({ room: 'general', author: ana, clientOffset: 'ok-1', content: 'fine' }),
      opened.appendMessage({ room: 'general', author: bob, clientOffset: 'nul-1', content: 'bad \u0000 byte' }),
      opened.appendMessage({ room: 'general', author: ana, clientOffset: 'ok-2', content: 'also fine' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const stored = await opened.messagesAfter('general', 0, 10);
    expect(stored.map((message) => [message.clientOffset, message.seq])).toEqual([
      ['ok-1', 1],
      ['ok-2', 2],
    ]);
  });
});
