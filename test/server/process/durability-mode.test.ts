/**
 * "Acked means fsynced" checked where it lives: a cluster started as `npm start`
 * starts it (WORKERS=2, no CHAT_SQLITE_SYNC) states, read back from SQLite, that
 * the primary's committing connection and every worker's connections run WAL
 * with synchronous=FULL. NORMAL or OFF would pass every kill test, not this one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, startServer, type RunningServer } from '../../support/server';

type Health = { ok: boolean; durability: Array<{ connection: string; journalMode: string; synchronous: string }> };

describe('durability mode of a running cluster', () => {
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.stop();
    removeTempDirs();
  });

  it('states WAL and synchronous=FULL for the primary and each worker, as read back from their connections', async () => {
    server = await startServer({ workers: 2 });
    const running = server;
    const lines = running.output().split('\n');
    const stated = lines.filter((line) => line.startsWith('durability: '));
    expect(stated, running.output()).toEqual([
      'durability: SQLite append connection journal_mode=WAL synchronous=FULL (read back from SQLite)',
    ]);

    const byWorker = new Map<string, Health>();
    for (let attempt = 0; attempt < 20 && byWorker.size < 2; attempt++) {
      const response = await fetch(`${running.url}/healthz`);
      byWorker.set(response.headers.get('x-worker-pid') ?? '', (await response.json()) as Health);
    }
    expect(byWorker.size).toBe(2);
    for (const [pid, health] of byWorker) {
      // A worker's own connection writes users and rooms; its messages are committed by the primary.
      expect(health, `worker ${pid}`).toEqual({ ok: true, durability: [{ connection: 'main', journalMode: 'WAL', synchronous: 'FULL' }] });
    }
  });
});
