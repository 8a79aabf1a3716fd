/**
 * Web Push on PostgreSQL: two server instances share one database and one push queue; each
 * claims due jobs with FOR UPDATE SKIP LOCKED, so every push goes out exactly once.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushPayload } from '../../../shared/push';
import { createSession, waitFor } from '../../support/clients';
import { startFakePushService, type FakePushService } from '../../support/fake-push-service';
import { startInProcessServer, type InProcessServer } from '../../support/in-process-server';
import { claimHandle, expectOk, post, subscribe } from '../../support/push-clients';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL, urlWithSchema } from '../../support/services';

const run = shouldRun('PostgreSQL', await postgresProblem());

describe.runIf(run)('Web Push on PostgreSQL, two instances', () => {
  const schema = freshSchemaName('chat_push');
  let fake: FakePushService;
  const servers: InProcessServer[] = [];

  beforeAll(async () => {
    fake = await startFakePushService();
    const env = { CHAT_DATABASE_URL: urlWithSchema(TEST_DATABASE_URL, schema), CHAT_PUSH_ENDPOINTS: fake.origin };
    servers.push(await startInProcessServer(env));
    servers.push(await startInProcessServer(env));
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await fake?.close();
    await dropSchema(schema);
  });

  it('sends each queued push once, whichever instance claims it, and prunes a gone endpoint', async () => {
    const [one, two] = servers;
    const ana = await createSession(one.url, 'Ana');
    const bob = await createSession(two.url, 'Bob');
    await claimHandle(two.url, bob.token, 'bob');
    await expectOk(subscribe(two.url, bob.token, fake.subscriber('pg-bob').subscription), 201);
    // Both instances learn of the first subscription by their periodic check (no adapter between them here).
    for (const server of servers) server.chat.push.subscribedElsewhere();

    const sent: string[] = [];
    for (let index = 0; index < 20; index++) {
      const content = `@bob number ${index}`;
      sent.push(content);
      await post(index % 2 === 0 ? one.url : two.url, ana.token, 'general', content);
    }
    const received = () =>
      fake.received
        .filter((push) => push.subscriber === 'pg-bob')
        .map((push) => (push.payload as PushPayload & { kind: 'message' }).message.content);
    await waitFor(() => received().length >= 20, 20_000, '20 pushes');
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      const queued = async () => Number((await client.query('SELECT count(*) AS n FROM push_queue')).rows[0].n);
      for (let attempt = 0; attempt < 100 && (await queued()) > 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await queued()).toBe(0);
      expect([...received()].sort()).toEqual([...sent].sort());
      expect(fake.faults).toEqual([]);

      fake.answer('pg-bob', { status: 404 });
      await post(one.url, ana.token, 'general', '@bob are you gone');
      const subscriptions = async () => Number((await client.query('SELECT count(*) AS n FROM push_subscriptions')).rows[0].n);
      for (let attempt = 0; attempt < 100 && (await subscriptions()) > 0; attempt++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await subscriptions()).toBe(0);
    } finally {
      await client.end();
    }
  });
});
