import { afterAll, describe, expect, it } from 'vitest';
import { connectAndCatchUp, createSession } from '../support/clients';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';

describe('durability', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.kill()));
    removeTempDirs();
  });

  it.each([1, 2])('keeps every acked message through kill -9 (%i worker(s))', async (workers) => {
    const first = await startServer({ workers });
    servers.push(first);
    const ana = await createSession(first.url, 'Ana');
    const client = await connectAndCatchUp(first.url, ana.token);
    const acked: string[] = [];
    // Sends keep flowing when the kill lands: only what was acked is promised.
    const pending = Array.from({ length: 300 }, (_, index) =>
      client.socket
        .timeout(5000)
        .emitWithAck('message:send', { room: 'general', clientOffset: `k-${index}`, content: `durable ${index}` })
        .then((ack) => {
          if (ack.ok) acked.push(ack.message.clientOffset);
        })
        .catch(() => undefined),
    );
    while (acked.length < 100) await new Promise((resolve) => setTimeout(resolve, 1));
    await first.kill();
    await Promise.all(pending);
    client.socket.close();
    expect(acked.length).toBeGreaterThanOrEqual(100);

    const second = await startServer({ workers, dbPath: first.dbPath, port: first.port });
    servers.push(second);
    const back = await connectAndCatchUp(second.url, ana.token);
    back.socket.close();
    const stored = back.messages.map((message) => message.clientOffset);
    for (const offset of acked) expect(stored).toContain(offset);
    expect(new Set(stored).size).toBe(stored.length);
    expect(back.messages.map((message) => message.seq)).toEqual(back.messages.map((_, index) => index + 1));
    await second.stop();
  });

  it('finishes in-flight commits and acks on SIGTERM, then exits', async () => {
    const first = await startServer({ workers: 2 });
    servers.push(first);
    const ana = await createSession(first.url, 'Ana');
    const client = await connectAndCatchUp(first.url, ana.token);
    const acked: string[] = [];
    let refused = 0;
    const pending = Array.from({ length: 400 }, (_, index) =>
      client.socket
        .timeout(8000)
        .emitWithAck('message:send', { room: 'general', clientOffset: `t-${index}`, content: `graceful ${index}` })
        .then((ack) => (ack.ok ? acked.push(ack.message.clientOffset) : refused++))
        .catch(() => refused++),
    );
    while (acked.length < 50) await new Promise((resolve) => setTimeout(resolve, 1));
    const stopping = first.stop();
    await Promise.all(pending);
    await stopping;
    client.socket.close();
    expect(acked.length + refused).toBe(400);

    const second = await startServer({ workers: 1, dbPath: first.dbPath, port: first.port });
    servers.push(second);
    const back = await connectAndCatchUp(second.url, ana.token);
    back.socket.close();
    const stored = new Set(back.messages.map((message) => message.clientOffset));
    for (const offset of acked) expect(stored.has(offset), offset).toBe(true);
    await second.stop();
  });
});
