/**
 * Redis carries live fan-out only: while it is unreachable, sends are still
 * committed and acked; when it returns, broadcasts resume, and a client that
 * missed one fills the gap with `sync`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisNamespace } from '../../server/scale-out/redis';
import { createSession, waitFor } from '../support/clients';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';
import {
  deleteRedisKeys,
  dropSchema,
  freshSchemaName,
  postgresProblem,
  redisProblem,
  shouldRun,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  urlWithSchema,
} from '../support/services';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { ModelClient } from './model-client';

const problems = [await postgresProblem(), await redisProblem()].filter((problem): problem is string => problem !== null);
const servicesAvailable = shouldRun('Redis outage (PostgreSQL + Redis)', problems.length > 0 ? problems.join('; ') : null);

describe.skipIf(!servicesAvailable)('two instances while Redis goes away and comes back', () => {
  const schema = freshSchemaName('chat_redis_outage');
  const databaseUrl = urlWithSchema(TEST_DATABASE_URL, schema);
  let proxy: TcpProxy;
  let a: RunningServer;
  let b: RunningServer;
  const clients: ModelClient[] = [];

  beforeAll(async () => {
    const target = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    const env = { CHAT_DATABASE_URL: databaseUrl, CHAT_REDIS_URL: `redis://127.0.0.1:${proxy.port}` };
    [a, b] = await Promise.all([startServer({ workers: 1, env }), startServer({ workers: 1, env })]);
  });
  afterAll(async () => {
    clients.forEach((client) => client.close());
    await Promise.all([a?.stop(), b?.stop()]);
    await proxy?.close();
    removeTempDirs();
    await dropSchema(schema);
    await deleteRedisKeys(redisNamespace({ databaseUrl, dbPath: '' }));
  });

  it('keeps acking sends during the outage and delivers everything once afterwards', async () => {
    const sender = new ModelClient(await createSession(a.url, 'Sender'));
    const reader = new ModelClient(await createSession(b.url, 'Reader'));
    clients.push(sender, reader);
    await sender.connect(a.url);
    await reader.connect(b.url);

    sender.send('before', 'before the outage');
    await waitFor(() => reader.cursor() === 1, 10_000, 'the first broadcast across instances');

    await proxy.cut();
    sender.send('during', 'while Redis is away');
    await waitFor(() => sender.outbox.size === 0, 5_000, 'the ack while Redis is away');
    expect(sender.acked.get('during')?.seq).toBe(2);

    await proxy.restore();
    // Broadcasts resume once both instances have reconnected; the reader then sees a seq after its
    // cursor and fills the gap with sync (or the queued broadcast arrives late; either way, once).
    let n = 0;
    await waitFor(
      () => {
        sender.send(`after-${n++}`, 'after the outage');
        return reader.liveSeqs.size >= 3 && reader.cursor() === sender.acked.size;
      },
      30_000,
      'live broadcasts to resume',
    );
    await waitFor(() => sender.outbox.size === 0 && reader.cursor() === sender.acked.size, 10_000, 'the reader to catch up');
    expect([...reader.held.values()].map((message) => message.clientOffset).slice(0, 2)).toEqual(['before', 'during']);
    expect(reader.duplicateBroadcasts).toEqual([]);
    expect(reader.held.size).toBe(sender.acked.size);
  });
});
