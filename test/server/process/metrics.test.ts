/**
 * Eyes on the cluster: /metrics summed over a 2-worker cluster's processes after
 * real traffic, closed without its token and off unless configured, and the
 * logs as JSON lines with a request or socket id, never a token or message text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { connectAndCatchUp, connectWhere, createSession, workerOf } from '../../support/clients';
import { freePort, logLines, useServer } from '../../support/server';

const TOKEN = 'metrics-test-token-0123456789';

/** `name{labels} value` lines of a Prometheus text answer, as a lookup. */
function parseMetrics(text: string): (name: string) => number {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const at = line.lastIndexOf(' ');
    values.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return (name) => values.get(name) ?? Number.NaN;
}

describe('/metrics on a 2-worker cluster with a token', () => {
  const server = useServer({ workers: 2, env: { CHAT_METRICS_TOKEN: TOKEN } });
  const scrape = async () => {
    const response = await fetch(`${server().url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    return parseMetrics(await response.text());
  };

  it('counts the traffic of every worker, summed', async () => {
    const [ana, bob] = [await createSession(server().url, 'Ana'), await createSession(server().url, 'Bob')];
    const anaClient = await connectAndCatchUp(server().url, ana.token);
    const bobClient = await connectWhere(
      () => connectAndCatchUp(server().url, bob.token),
      (worker) => worker !== workerOf(anaClient.socket),
    );
    const clients = [anaClient, bobClient];
    try {
      for (const [index, client] of clients.entries()) {
        for (let n = 0; n < 5; n++) {
          const ack = await client.socket.emitWithAck('message:send', {
            room: 'general',
            clientOffset: `m-${index}-${n}`,
            content: `hello ${n}`,
          });
          expect(ack.ok).toBe(true);
        }
      }
      // A resend of an acked clientOffset is absorbed; a payload of the wrong shape is refused.
      expect((await anaClient.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'm-0-0', content: 'hello 0' })).ok).toBe(
        true,
      );
      const invalid = await bobClient.socket.emitWithAck('message:send', { room: 42 } as never);
      expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid' } });

      // A late-comer's catch-up replays what was sent.
      const late = await connectAndCatchUp(server().url, ana.token);
      late.socket.close();
      expect(late.messages.length).toBeGreaterThanOrEqual(10);

      const value = await scrape();
      // Each worker saw only its client's sends: 11 is the sum of both.
      expect(value('chat_messages_acked_total')).toBe(11);
      expect(value('chat_duplicate_resends_total')).toBe(1);
      expect(value('chat_errors_total{code="invalid"}')).toBe(1);
      expect(value('chat_sockets_connected')).toBeGreaterThanOrEqual(2);
      // The refused payload never reached the send path.
      expect(value('chat_ack_seconds_count')).toBe(11);
      // The primary commits for SQLite: its own registry is in the sum.
      expect(value('chat_commit_batch_size_sum')).toBeGreaterThanOrEqual(10);
      expect(value('chat_commit_seconds_count')).toBeGreaterThan(0);
      expect(value('chat_catch_up_pages_total')).toBeGreaterThan(0);
      expect(value('chat_catch_up_bytes_total')).toBeGreaterThan(0);
      expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    } finally {
      clients.forEach((client) => client.socket.close());
    }
  });

  it('answers 401 without the token or with a wrong one', async () => {
    expect((await fetch(`${server().url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server().url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token!!' } })).status).toBe(401);
  });

  it('logs JSON lines, each refusal one line with its socket or request id and no stack; no token, no message text', async () => {
    const carol = await createSession(server().url, 'Carol');
    const client = await connectAndCatchUp(server().url, carol.token);
    const socketId = client.socket.id;
    try {
      await client.socket.emitWithAck('room:join', { room: '' } as never);
      await client.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'secret-1', content: 'a very private sentence' });
      await fetch(`${server().url}/api/rooms/nowhere/messages`, { headers: { authorization: `Bearer ${carol.token}` } });
      await fetch(`${server().url}/api/no-such-route`, { headers: { authorization: `Bearer ${carol.token}` } });
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      client.socket.close();
    }
    const output = server().output();
    const lines = logLines(output);
    const refusals = lines.filter((line) => line.msg === 'refused');
    // A socket's lines name the socket and its user (its logger is made on the first line).
    expect(refusals.some((line) => line.socket === socketId && line.user === carol.user.id && line.what === 'room:join')).toBe(true);
    expect(refusals.some((line) => typeof line.req === 'string' && line.code === 'not_found')).toBe(true);
    for (const line of refusals) {
      expect(line.socket ?? line.req, JSON.stringify(line)).toBeTypeOf('string');
      expect(line).not.toHaveProperty('err');
    }
    expect(output).not.toContain(carol.token);
    expect(output).not.toContain('a very private sentence');
    expect(output).not.toMatch(/"stack"/);
  });
});

describe('/metrics without a token', () => {
  let metricsPort = 0;
  beforeAll(async () => {
    metricsPort = await freePort();
  });
  const server = useServer(() => ({ workers: 2, env: { CHAT_METRICS_PORT: String(metricsPort) } }));

  it('is not on the main port (404), and on its own port answers for the whole cluster', async () => {
    expect((await fetch(`${server().url}/metrics`)).status).toBe(404);
    const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(response.status).toBe(200);
    const value = parseMetrics(await response.text());
    expect(value('chat_sockets_connected')).toBe(0);
    // Three processes' resident memory, summed: more than any one of them alone could be.
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(50_000_000);
  });
});
