/**
 * One process of the SQLite cluster SIGKILLed under load. A worker: its clients are cut
 * off, the other worker's carry on, the primary replaces it. The primary (the only
 * SQLite writer): the workers leave with it, and the restarted cluster has every acked
 * send. Either way, resends with the same clientOffsets are stored exactly once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectAndCatchUp, connectWhere, createSession, waitFor, workerOf } from '../../support/clients';
import { overHttp, resendAndCheckExactlyOnce } from '../../support/crash';
import { paceSends, untilAcked } from '../../support/paced-sends';
import { isAlive, removeTempDirs, startServer, workerPids, type RunningServer } from '../../support/server';

describe('kill -9 of one process of a 2-worker cluster under load', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    removeTempDirs();
  });

  /** Ana and Bob sending at once, each on a worker of their own. */
  async function twoSendersOnTwoWorkers(server: RunningServer) {
    const [ana, bob] = [await createSession(server.url, 'Ana'), await createSession(server.url, 'Bob')];
    const anaClient = await connectAndCatchUp(server.url, ana.token);
    const anaWorker = workerOf(anaClient.socket);
    const bobClient = await connectWhere(
      () => connectAndCatchUp(server.url, bob.token),
      (worker) => worker !== anaWorker,
    );
    const senders = [
      { session: ana, socket: anaClient.socket, sends: paceSends(anaClient.socket, { prefix: 'ana', inFlight: 16 }) },
      { session: bob, socket: bobClient.socket, sends: paceSends(bobClient.socket, { prefix: 'bob', inFlight: 16 }) },
    ];
    await Promise.all(senders.map((sender) => untilAcked(sender.sends, 30)));
    return senders;
  }

  it('cuts off only the dead worker’s clients, replaces the worker, and absorbs their resends', async () => {
    const server = await startServer({ workers: 2 });
    servers.push(server);
    const before = await workerPids(server.url, 2);
    const senders = await twoSendersOnTwoWorkers(server);
    const [victim] = before;
    process.kill(victim, 'SIGKILL');

    // One sender is cut off; the other's worker keeps committing through the primary.
    await waitFor(() => senders.some((sender) => !sender.socket.connected), 5000, 'a sender cut off');
    const [cut, survivor] = senders[0].socket.connected ? [senders[1], senders[0]] : [senders[0], senders[1]];
    const survivorAcks = survivor.sends.count('acked');
    await untilAcked(survivor.sends, survivorAcks + 30);
    expect(survivor.socket.connected).toBe(true);
    await Promise.all(senders.map((sender) => sender.sends.stop()));
    senders.forEach((sender) => sender.socket.close());

    expect(cut.sends.count('unanswered'), 'sends cut off with the worker').toBeGreaterThan(0);
    expect(survivor.sends.count('unanswered') + survivor.sends.count('refused')).toBe(0);
    for (const sender of senders) expect(sender.sends.count('timed-out')).toBe(0);

    const after = await workerPids(server.url, 2);
    expect(after, server.output()).not.toContain(victim);
    expect(server.output()).toMatch(new RegExp(`worker ${victim} died \\(SIGKILL\\); starting a new one`));

    const report = await resendAndCheckExactlyOnce(overHttp(server.url, senders[0].session), senders);
    expect(report.absorbed).toBeGreaterThanOrEqual(senders[0].sends.count('acked') + senders[1].sends.count('acked'));
    expect((await server.stop()).forced).toBe(false);
  });

  it('takes the workers down with the primary, and the restarted cluster keeps every acked send and absorbs the resends', async () => {
    const first = await startServer({ workers: 2 });
    servers.push(first);
    const workers = await workerPids(first.url, 2);
    const senders = await twoSendersOnTwoWorkers(first);
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
    const report = await resendAndCheckExactlyOnce(overHttp(second.url, senders[0].session), senders);
    expect(report.absorbed).toBeGreaterThanOrEqual(senders[0].sends.count('acked') + senders[1].sends.count('acked'));
    expect((await second.stop()).forced).toBe(false);
  });
});
