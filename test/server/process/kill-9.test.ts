/**
 * kill -9 of a single-process server while a client is sending: what was acked
 * survives, sends still in flight get no answer, and their resends after the
 * restart are stored once or absorbed as the message already stored. (The
 * cluster: a worker in cluster.test.ts, the primary in kill-primary.test.ts.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectAndCatchUp, createSession } from '../../support/clients';
import { overHttp, resendAndCheckExactlyOnce } from '../../support/crash';
import { paceSends, untilAcked } from '../../support/paced-sends';
import { removeTempDirs, startServer, type RunningServer } from '../../support/server';

describe('kill -9 of a single process under load', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    removeTempDirs();
  });

  it('keeps every acked send and absorbs the resends of those it cut off', async () => {
    const first = await startServer({ workers: 1 });
    servers.push(first);
    const ana = await createSession(first.url, 'Ana');
    const client = await connectAndCatchUp(first.url, ana.token);
    // 16 sends outstanding at all times: the kill cannot fall between two of them.
    const load = paceSends(client.socket, { prefix: 'k', inFlight: 16 });
    await untilAcked(load, 50);
    await first.kill();
    await load.stop();
    client.socket.close();

    expect(load.count('unanswered'), 'sends cut off by the kill').toBeGreaterThan(0);
    expect(load.count('timed-out')).toBe(0);
    expect(load.count('refused')).toBe(0);

    const second = await startServer({ workers: 1, dbPath: first.dbPath, port: first.port });
    servers.push(second);
    const report = await resendAndCheckExactlyOnce(overHttp(second.url), [{ session: ana, sends: load }]);
    expect(report.absorbed).toBeGreaterThanOrEqual(load.count('acked'));

    // Catch-up on connect agrees with the history: one message per send, in seq order.
    const back = await connectAndCatchUp(second.url, ana.token);
    back.socket.close();
    expect(back.messages.map((message) => message.seq)).toEqual(back.messages.map((_, index) => index + 1));
    expect(new Set(back.messages.map((message) => message.clientOffset))).toEqual(new Set(load.sends.keys()));
    await second.stop();
  });
});
