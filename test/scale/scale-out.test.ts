/**
 * Scale-out: two independent server instances of 2 workers each (WORKERS=2, as a
 * machine with 2 cores runs it) sharing PostgreSQL (a fresh schema per run, dropped
 * afterwards) and Redis. Clients on both must see every message exactly once in
 * gap-free order, including when one instance is SIGKILLed under load, with sends
 * still in flight, and its clients move to the survivor with their cursors and
 * outboxes, where the duplicate check absorbs what they resend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/protocol';
import { createSession, waitFor } from '../support/clients';
import { resend } from '../support/paced-sends';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';
import { redisNamespace } from '../../server/scale-out/redis';
import {
  deleteRedisKeys,
  dropSchema,
  freshSchemaName,
  postgresProblem,
  redisProblem,
  shouldRun,
  streamEntries,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  urlWithSchema,
} from '../support/services';
import { ModelClient } from './model-client';

const problems = [await postgresProblem(), await redisProblem()].filter((problem): problem is string => problem !== null);
const servicesAvailable = shouldRun('scale-out (PostgreSQL + Redis)', problems.length > 0 ? problems.join('; ') : null);

/** Every client holds seqs 1..n, each exactly one of the `expected` messages, and saw no broadcast twice. */
function expectExactlyOnceInOrder(clients: ModelClient[], expected: Map<string, Message>): void {
  const n = expected.size;
  for (const client of clients) {
    expect(client.cursor()).toBe(n);
    expect(client.held.size).toBe(n);
    const keys = [...client.held.values()].map((message) => `${message.author.id}/${message.clientOffset}`);
    expect(new Set(keys).size).toBe(n);
    for (const [key, message] of expected) expect(client.held.get(message.seq), key).toEqual(message);
    expect(client.duplicateBroadcasts).toEqual([]);
  }
}

describe.skipIf(!servicesAvailable)('two instances sharing PostgreSQL and Redis', () => {
  const schema = freshSchemaName('chat_scale');
  const env = { CHAT_DATABASE_URL: urlWithSchema(TEST_DATABASE_URL, schema), CHAT_REDIS_URL: TEST_REDIS_URL };
  const namespace = redisNamespace({ databaseUrl: env.CHAT_DATABASE_URL, dbPath: '' });
  let a: RunningServer;
  let b: RunningServer;
  const clients: ModelClient[] = [];
  /** Every message the store must hold exactly once, by author/clientOffset. */
  const expected = new Map<string, Message>();

  beforeAll(async () => {
    // Started together on purpose: the migration lock must let both come up on the fresh schema.
    [a, b] = await Promise.all([startServer({ workers: 2, env }), startServer({ workers: 2, env })]);
  });
  afterAll(async () => {
    clients.forEach((client) => client.close());
    await Promise.all([a?.stop(), b?.stop()]);
    removeTempDirs();
    await dropSchema(schema);
    await deleteRedisKeys(namespace);
  });

  const tokenOf = (message: Message): string => {
    const owner = clients.find((client) => client.session.user.id === message.author.id);
    if (!owner) throw new Error(`no client wrote ${message.clientOffset}`);
    return owner.session.token;
  };

  const record = (client: ModelClient) => {
    for (const message of client.acked.values()) expected.set(`${message.author.id}/${message.clientOffset}`, message);
  };

  it('delivers concurrent sends from both instances exactly once, in gap-free order, to every client', async () => {
    for (let i = 0; i < 6; i++) {
      const server = i % 2 === 0 ? a : b;
      const client = new ModelClient(await createSession(server.url, `user${i}`));
      await client.connect(server.url);
      clients.push(client);
    }
    clients.forEach((client, index) => {
      for (let n = 0; n < 30; n++) client.send(`warm-${index}-${n}`, `message ${n} from client ${index}`);
    });
    await waitFor(() => clients.every((client) => client.outbox.size === 0), 30_000, 'every send acked');
    clients.forEach(record);
    expect(expected.size).toBe(180);
    await waitFor(() => clients.every((client) => client.cursor() === expected.size), 15_000, 'every client to hold every message');
    expectExactlyOnceInOrder(clients, expected);
    // Live, not only patched up by sync: every broadcast crosses to the other instance through Redis.
    // (A remote one may arrive after sync already filled its seq, hence the wait.)
    await waitFor(() => clients.every((client) => client.liveSeqs.size === expected.size), 10_000, 'every broadcast to arrive live');

    // They crossed as whole commits in the adapter's stream (kept there through a Redis outage), not as
    // a stream entry per message beside the batch again over pub/sub.
    const entries = await streamEntries(`${namespace}:stream`);
    const committed = entries
      .map((entry) => JSON.parse(entry.data ?? '{}') as { packet?: [string, ...Message[][]] })
      .filter((data) => data.packet?.[0] === 'messages:committed')
      .map((data) => data.packet?.[1] ?? []);
    expect(
      committed
        .flat()
        .map((message) => `${message.author.id}/${message.clientOffset}`)
        .sort(),
    ).toEqual([...expected.keys()].sort());
    expect(committed.length).toBeLessThan(expected.size);
    expect(entries.filter((entry) => entry.data?.includes('"message:new"'))).toEqual([]);
  });

  it('shows everyone online to everyone, whichever instance they are connected to', async () => {
    const everyone = clients.map((client) => client.session.user.id).sort();
    await waitFor(() => clients.every((client) => client.online.length === everyone.length), 10_000, 'presence from both instances');
    for (const client of clients) expect(client.online.map((user) => user.id).sort()).toEqual(everyone);
  });

  it('loses and duplicates nothing when one instance is SIGKILLed mid-load and its clients move to the other', async () => {
    const onA = clients.filter((_, index) => index % 2 === 0);
    let sending = true;
    let counter = 0;
    const sendRound = () => {
      clients.forEach((client, index) => client.send(`load-${index}-${counter}`, `load ${counter} from ${index}`));
      counter++;
    };
    const load = (async () => {
      while (sending) {
        sendRound();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 700));
    // The kill lands in the same tick as a round of sends: A cannot have answered those.
    sendRound();
    const ackedBeforeKill = onA.flatMap((client) => [...client.acked.values()]);
    const inFlightAtKill = onA.flatMap((client) => [...client.outbox.keys()].map((clientOffset) => ({ client, clientOffset })));
    // kill() signals the group before its first await, so nothing is answered in between.
    await a.kill();
    await waitFor(() => onA.every((client) => !client.connected), 5_000, "A's clients to notice");
    // Sent to A and never answered: the kill landed mid-load.
    const cutOff = inFlightAtKill.filter(({ client, clientOffset }) => client.outbox.has(clientOffset));
    expect(cutOff.length, 'sends cut off by the kill').toBeGreaterThan(0);
    // Their sockets are dead; reconnect to the survivor with the cursor they hold and resend the outbox.
    await Promise.all(onA.map((client) => client.connect(b.url)));
    await new Promise((resolve) => setTimeout(resolve, 700));
    sending = false;
    await load;

    await waitFor(
      () => {
        clients.forEach((client) => client.flush());
        return clients.every((client) => client.outbox.size === 0);
      },
      30_000,
      'every send acked after the failover',
    );
    clients.forEach(record);
    expect(expected.size).toBe(180 + counter * clients.length);

    // Resent again, as a client that lost its acks would: the duplicate check on PostgreSQL absorbs each
    // one on the other instance (200, the very message stored), whether A had committed it before dying or not.
    const resends = [
      ...ackedBeforeKill.map((message) => ({ message, token: tokenOf(message) })),
      ...cutOff.map(({ client, clientOffset }) => ({ message: client.acked.get(clientOffset), token: client.session.token })),
    ];
    for (let start = 0; start < resends.length; start += 16) {
      await Promise.all(
        resends.slice(start, start + 16).map(async ({ message, token }) => {
          if (!message) throw new Error('a cut-off send was never acked');
          expect(await resend(b.url, token, message.clientOffset, message.content), message.clientOffset).toEqual({
            created: false,
            message,
          });
        }),
      );
    }

    // A final sync on the survivor fills whatever broadcast was lost with instance A.
    await waitFor(
      () => {
        clients.forEach((client) => void client.sync());
        return clients.every((client) => client.cursor() === expected.size);
      },
      15_000,
      'every client to hold every message',
    );
    expectExactlyOnceInOrder(clients, expected);

    // The survivor's store agrees: every acked message once, nothing else.
    const stored: Message[] = [];
    for (let after = 0; ;) {
      const response = await fetch(`${b.url}/api/rooms/general/messages?after=${after}&limit=500`, {
        headers: { authorization: `Bearer ${clients[1].session.token}` },
      });
      const page = ((await response.json()) as { messages: Message[] }).messages;
      if (page.length === 0) break;
      stored.push(...page);
      after = page[page.length - 1].seq;
    }
    expect(stored.map((message) => message.seq)).toEqual(stored.map((_, index) => index + 1));
    expect(stored.length).toBe(expected.size);
    for (const message of stored) expect(expected.get(`${message.author.id}/${message.clientOffset}`)).toEqual(message);
  });
});
