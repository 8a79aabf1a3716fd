/**
 * A budget for everything a client can ask, shared by all workers: a flood of
 * any request gets `rate_limited` (429 over HTTP) with when to retry, and caps
 * on rooms and sockets per person answer clearly.
 */
import { describe, expect, it } from 'vitest';
import { connectAndCatchUp, connectAndWait, createSession, createSocket, type ChatSocket } from '../../support/clients';
import { useServer } from '../../support/server';

describe('budgets on a 2-worker cluster', () => {
  const server = useServer({
    workers: 2,
    env: {
      CHAT_RATE_LIMIT: '20:60',
      CHAT_RATE_ACTIONS: '1:4',
      CHAT_RATE_SIGNALS: '1:2',
      CHAT_RATE_ACCOUNTS: '1:6',
      CHAT_RATE_CONNECTS: '1:12',
      CHAT_MAX_ROOMS_PER_USER: '2',
      CHAT_MAX_SOCKETS_PER_USER: '2',
    },
  });
  const sockets: ChatSocket[] = [];

  it('gives one person one budget of HTTP reads, however the requests are spread over workers', async () => {
    const ana = await createSession(server().url, 'Ana');
    const answers = [];
    for (let index = 0; index < 8; index++) {
      answers.push(await fetch(`${server().url}/api/rooms`, { headers: { authorization: `Bearer ${ana.token}` } }));
    }
    const pids = new Set<string>();
    for (let index = 0; index < 4; index++) pids.add((await fetch(`${server().url}/healthz`)).headers.get('x-worker-pid') ?? '');
    expect(pids.size).toBe(2);
    // A burst of 4, refilled at 1 per second: not 4 per worker.
    expect(answers.filter((answer) => answer.status === 200).length).toBeLessThanOrEqual(5);
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited[0].json()).toMatchObject({ error: { code: 'rate_limited' } });
  });

  it('limits socket actions per person with rate_limited and a retry time, and caps rooms and sockets', async () => {
    const bob = await createSession(server().url, 'Bob');
    const first = await connectAndCatchUp(server().url, bob.token);
    const second = await connectAndCatchUp(server().url, bob.token);
    sockets.push(first.socket, second.socket);
    // The cap counts per server process: 2 per worker, so at most 4 of 6 get in.
    const refusals: string[] = [];
    for (let index = 0; index < 4; index++) {
      const extra = createSocket(server().url, bob.token);
      sockets.push(extra);
      await connectAndWait(extra, 5_000).catch((error: Error) => refusals.push(error.message));
    }
    expect(refusals.length).toBeGreaterThanOrEqual(2);
    expect(new Set(refusals)).toEqual(new Set(['too_many_sockets']));

    const joins = [];
    for (const room of ['one', 'two', 'three', 'four', 'five', 'six']) joins.push(await first.socket.emitWithAck('room:join', { room }));
    expect(joins.slice(0, 2).every((answer) => answer.ok)).toBe(true);
    // The third room is over the cap of 2; later ones may already be over the action budget.
    expect(joins[2]).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const limited = joins.find((answer) => !answer.ok && answer.error.code === 'rate_limited');
    expect(limited && !limited.ok && limited.error.retryAfterMs).toBeGreaterThan(0);

    const reads = [];
    for (let index = 0; index < 5; index++) reads.push(await second.socket.emitWithAck('room:read', { room: 'general', seq: 0 }));
    expect(reads.some((answer) => !answer.ok && answer.error.code === 'rate_limited')).toBe(true);
  });

  it('limits new accounts and handshakes per client address', async () => {
    const statuses = [];
    for (let index = 0; index < 10; index++) {
      const response = await fetch(`${server().url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Crowd ${index}` }),
      });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(1);

    const cy = await createSession(server().url, 'Cy').catch(() => null);
    const token = cy?.token ?? 'unknown';
    const errors: string[] = [];
    for (let index = 0; index < 14; index++) {
      const probe = createSocket(server().url, token);
      await connectAndWait(probe, 5_000).catch((error: Error) => errors.push(error.message));
      probe.close();
    }
    expect(errors).toContain('rate_limited');
  });

  it('closes what it opened', () => {
    sockets.forEach((socket) => socket.close());
  });
});
