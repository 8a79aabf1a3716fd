/** The one group-commit queue behind the SQLite writer, a cluster worker's hand-off and PostgreSQL. */
import { describe, expect, it, vi } from 'vitest';
import { createGroupCommit, type BatchOutcomes, type GroupCommitOptions } from '../../../server/store/group-commit';

class Failure extends Error {}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
/** A settled commit schedules the next flush from its promise callback: one turn later than a settle. */
const afterSettle = async () => {
  await nextTurn();
  await nextTurn();
};

/** A group commit whose commits are recorded and answered by `answer` (default: each input doubled). */
function recorded(options: Partial<GroupCommitOptions<number, number>> = {}) {
  const batches: number[][] = [];
  const group = createGroupCommit<number, number>({
    commit: (batch) => {
      batches.push(batch);
      return batch.map((input) => input * 2);
    },
    failure: (error) => new Failure(`failed: ${(error as Error).message}`),
    ...options,
  });
  return { group, batches };
}

/** A commit that stays in flight until the test settles it. */
function heldCommits() {
  const held: Array<{ batch: number[]; settle(outcomes?: BatchOutcomes<number>): void; fail(error: Error): void }> = [];
  const commit = (batch: number[]) =>
    new Promise<BatchOutcomes<number>>((resolve, reject) =>
      held.push({ batch, settle: (outcomes = batch.map((input) => input * 2)) => resolve(outcomes), fail: reject }),
    );
  return { held, commit };
}

describe('group commit', () => {
  it('puts everything submitted in one turn of the event loop into one commit, and the next turn into the next', async () => {
    const { group, batches } = recorded();
    const first = [1, 2, 3].map((n) => group.submit(n));
    expect(batches).toEqual([]);
    expect(await Promise.all(first)).toEqual([2, 4, 6]);
    const second = [4, 5].map((n) => group.submit(n));
    expect(await Promise.all(second)).toEqual([8, 10]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('splits a turn into batches of at most maxBatch, in order', async () => {
    const { group, batches } = recorded({ maxBatch: 2 });
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)))).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('settles each input with its own outcome: one failed input fails alone', async () => {
    const { group } = recorded({ commit: (batch) => batch.map((n) => (n === 2 ? new Error('room 2 does not exist') : n)) });
    const outcomes = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[1]).toMatchObject({ reason: { message: 'room 2 does not exist' } });
  });

  it('fails every input of a batch whose commit throws, with the failure made of the error, and carries on', async () => {
    let attempt = 0;
    const { group } = recorded({
      commit: (batch) => {
        if (++attempt === 1) throw new Error('disk I/O error');
        return batch;
      },
    });
    const failed = await Promise.allSettled([1, 2].map((n) => group.submit(n)));
    expect(failed).toEqual([
      { status: 'rejected', reason: new Failure('failed: disk I/O error') },
      { status: 'rejected', reason: new Failure('failed: disk I/O error') },
    ]);
    expect(failed.every((outcome) => outcome.status === 'rejected' && outcome.reason instanceof Failure)).toBe(true);
    expect(await group.submit(3)).toBe(3);
  });

  it('fails a batch whose commit rejects asynchronously the same way', async () => {
    const { group } = recorded({ commit: async () => Promise.reject(new Error('connection lost')) });
    await expect(group.submit(1)).rejects.toEqual(new Failure('failed: connection lost'));
  });

  it('retries a batch put back at the front, merged with what arrived meanwhile, in submission order', async () => {
    const { held, commit } = heldCommits();
    const waits: number[] = [];
    const group = createGroupCommit<number, number>({
      commit,
      retryAfter: (error, waitedMs) => {
        waits.push(waitedMs);
        return (error as Error).message === 'busy' ? 5 : undefined;
      },
      failure: (error) => new Failure((error as Error).message),
    });
    let answers: Array<Promise<number>> = [];
    // The retry waits on a timer the test releases; turns of the event loop still run.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const early = [1, 2].map((n) => group.submit(n));
      await nextTurn();
      expect(held.map((commit) => commit.batch)).toEqual([[1, 2]]);
      held[0].fail(new Error('busy'));
      await nextTurn();
      const late = [3, 4].map((n) => group.submit(n));
      await afterSettle();
      // Nothing commits while the batch waits, not even what arrived meanwhile.
      expect(held).toHaveLength(1);
      vi.advanceTimersByTime(5);
      await nextTurn();
      // One retry carries the old batch first, then what arrived while it waited.
      expect(held.map((commit) => commit.batch)).toEqual([
        [1, 2],
        [1, 2, 3, 4],
      ]);
      answers = [...early, ...late];
    } finally {
      vi.useRealTimers();
    }
    held[1].settle();
    expect(await Promise.all(answers)).toEqual([2, 4, 6, 8]);
    expect(waits).toEqual([0]);
  });

  it('gives up on retries once retryAfter says so, failing the whole batch', async () => {
    let calls = 0;
    const group = createGroupCommit<number, number>({
      commit: () => {
        calls++;
        throw new Error('busy');
      },
      retryAfter: (_error, waitedMs) => (waitedMs < 30 ? 1 : undefined),
      failure: (error) => new Failure((error as Error).message),
    });
    await expect(group.submit(1)).rejects.toEqual(new Failure('busy'));
    expect(calls).toBeGreaterThan(2);
  });

  it('keeps one commit in flight by default, gathering the next batch behind it', async () => {
    const { held, commit } = heldCommits();
    const group = createGroupCommit<number, number>({ commit, failure: () => new Failure('x') });
    const answers = [1, 2].map((n) => group.submit(n));
    await nextTurn();
    const queued = [3].map((n) => group.submit(n));
    await nextTurn();
    const more = [4, 5].map((n) => group.submit(n));
    await nextTurn();
    expect(held.map((commit) => commit.batch)).toEqual([[1, 2]]);
    held[0].settle();
    await afterSettle();
    expect(held.map((commit) => commit.batch)).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    held[1].settle();
    expect(await Promise.all([...answers, ...queued, ...more])).toEqual([2, 4, 6, 8, 10]);
  });

  it('runs up to `concurrency` commits at once, each turn its own batch', async () => {
    const { held, commit } = heldCommits();
    const group = createGroupCommit<number, number>({ commit, concurrency: 2, failure: () => new Failure('x') });
    const answers = [];
    for (const turn of [[1], [2, 3], [4]]) {
      answers.push(...turn.map((n) => group.submit(n)));
      await nextTurn();
    }
    expect(held.map((commit) => commit.batch)).toEqual([[1], [2, 3]]);
    held[1].settle();
    await afterSettle();
    expect(held.map((commit) => commit.batch)).toEqual([[1], [2, 3], [4]]);
    held[0].settle();
    held[2].settle();
    expect(await Promise.all(answers)).toEqual([2, 4, 6, 8]);
  });

  it('on close commits what is queued, resolves once nothing is in flight, and refuses later submissions', async () => {
    const { held, commit } = heldCommits();
    const group = createGroupCommit<number, number>({ commit, failure: (error) => new Failure((error as Error).message) });
    const inFlight = group.submit(1);
    await nextTurn();
    const queued = group.submit(2);
    let closed = false;
    const closing = group.close().then(() => (closed = true));
    await nextTurn();
    expect(closed).toBe(false);
    held[0].settle();
    await afterSettle();
    expect(held.map((commit) => commit.batch)).toEqual([[1], [2]]);
    expect(closed).toBe(false);
    held[1].settle();
    await closing;
    expect(await Promise.all([inFlight, queued])).toEqual([2, 4]);
    await expect(group.submit(3)).rejects.toEqual(new Failure('closed'));
  });

  it('does not retry once closed: a batch failing during close fails at once', async () => {
    const { held, commit } = heldCommits();
    const group = createGroupCommit<number, number>({
      commit,
      retryAfter: () => 1,
      failure: (error) => new Failure((error as Error).message),
    });
    const pending = group.submit(1);
    await nextTurn();
    const closing = group.close();
    held[0].fail(new Error('busy'));
    await expect(pending).rejects.toEqual(new Failure('busy'));
    await closing;
    expect(held).toHaveLength(1);
  });

  it('closes at once when idle', async () => {
    const { group, batches } = recorded();
    await group.close();
    expect(batches).toEqual([]);
  });
});
