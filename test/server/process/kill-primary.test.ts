/**
 * The primary of the SQLite cluster (routing, and the only SQLite writer) SIGKILLed
 * while clients on both workers send: the workers leave with it, none is left
 * behind, and the restarted cluster has every acked send and absorbs the resends.
 * (A worker SIGKILLed under load: cluster.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/clients';
import { overHttp, resendAndCheckExactlyOnce, sendersOnTwoWorkers } from '../../support/crash';
import { isAlive, removeTempDirs, startServer, workerPids, type RunningServer } from '../../support/server';

describe('kill -9 of the primary of a 2-worker cluster under load', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    removeTempDirs();
  });

  it('takes the workers down with the primary, and the restarted cluster keeps every acked send and absorbs the resends', async () => {
    const first = await startServer({ workers: 2 });
    servers.push(first);
    const workers = await workerPids(first.url, 2);
    const senders = await sendersOnTwoWorkers(first.url, 'general');
    process.kill(first.pid, 'SIGKILL');
    await first.exited;

    // Without their primary the workers can neither commit nor be reached: they exit, none is left behind.
    await waitFor(() => workers.every((pid) => !isAlive(pid)), 10_000, 'the workers to exit');
    await waitFor(() => senders.every((sender) => !sender.socket.connected), 5000, 'both senders cut off');
    await Promise.all(senders.map((sender) => sender.sends.stop()));
    senders.forEach((sender) => sender.socket.close());
    expect(senders[0].sends.count('unanswered') + senders[1].sends.count('unanswered'), 'sends cut off').toBeGreaterThan(0);
    for (const sender of senders) expect(sender.sends.count('timed-out')).toBe(0);

    const second = await startServer({ workers: 2, dbPath: first.dbPath, port: first.port });
    servers.push(second);
    const report = await resendAndCheckExactlyOnce(overHttp(second.url), senders);
    expect(report.absorbed).toBeGreaterThanOrEqual(senders[0].sends.count('acked') + senders[1].sends.count('acked'));
    expect((await second.stop()).forced).toBe(false);
  });
});
