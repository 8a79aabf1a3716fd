/**
 * Web Push end to end on one in-process server (SQLite) and a fake push service on loopback that
 * verifies the VAPID JWT and decrypts every payload: who gets a push (levels, mentions, devices
 * with the app open or hidden), what it carries, dead subscriptions pruned, 429 retried, the
 * silent "read" push, and the endpoint rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushPayload } from '../../../shared/push';
import { connectAndWait, createSession, createSocket, waitFor } from '../../support/clients';
import { startFakePushService, type FakePushService } from '../../support/fake-push-service';
import { startInProcessServer, type InProcessServer } from '../../support/in-process-server';
import {
  claimHandle,
  expectOk,
  joinRoom,
  openDm,
  post,
  queueSettled,
  setLevel,
  subscribe,
  subscriptionCount,
} from '../../support/push-clients';

let fake: FakePushService;
let server: InProcessServer;

beforeAll(async () => {
  fake = await startFakePushService();
  // The fake's exact origin, and "localhost" as a push-service name (which resolves to loopback: refused at send time).
  server = await startInProcessServer({ CHAT_PUSH_ENDPOINTS: `${fake.origin},localhost` });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
});

const url = () => server.url;
const pushesTo = (id: string) => fake.received.filter((push) => push.subscriber === id);
const payloadsTo = (id: string) => pushesTo(id).map((push) => push.payload as PushPayload);

/** A person with a handle, subscribed from one device (session) as subscriber `id` of the fake. */
async function subscribedPerson(name: string, handle: string, id: string) {
  const person = await createSession(url(), name);
  await claimHandle(url(), person.token, handle);
  await expectOk(subscribe(url(), person.token, fake.subscriber(id).subscription), 201);
  return person;
}

describe('Web Push', () => {
  it('publishes one VAPID key, the one every push is signed with', async () => {
    const { publicKey } = (await (
      await fetch(`${url()}/api/push/key`, { headers: { authorization: `Bearer ${(await createSession(url(), 'K')).token}` } })
    ).json()) as {
      publicKey: string;
    };
    expect(publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    const ana = await createSession(url(), 'Ana');
    const bob = await subscribedPerson('Bob', 'bob_key', 'key-bob');
    await post(url(), ana.token, 'general', 'hi @bob_key');
    await waitFor(() => pushesTo('key-bob').length === 1, 10_000, 'the push');
    expect(pushesTo('key-bob')[0].vapidKey).toBe(publicKey);
    expect(fake.faults).toEqual([]);
    void bob;
  });

  it('pushes by level: a public room tells mentions only, "all" tells everything, muted tells nothing, not even a mention', async () => {
    const ana = await createSession(url(), 'Ana');
    const bob = await subscribedPerson('Bob', 'bob_levels', 'levels-bob');
    for (const person of [ana, bob]) await joinRoom(url(), person.token, 'levels');

    await post(url(), ana.token, 'levels', 'nothing for Bob here');
    const mention = await post(url(), ana.token, 'levels', 'look @Bob_Levels, this one is yours');
    await waitFor(() => pushesTo('levels-bob').length >= 1, 10_000, 'the mention');
    await queueSettled(server.dbPath);
    expect(payloadsTo('levels-bob')).toEqual([
      {
        kind: 'message',
        complete: true,
        mention: true,
        message: {
          id: mention.id,
          room: 'levels',
          seq: mention.seq,
          author: mention.author,
          clientOffset: mention.clientOffset,
          content: mention.content,
          ts: mention.ts,
        },
      },
    ]);
    const first = pushesTo('levels-bob')[0];
    expect(first.topic).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(first.ttl).toBeGreaterThan(0);
    expect(first.urgency).toBe('high');

    await setLevel(url(), bob.token, 'levels', 'all');
    await post(url(), ana.token, 'levels', 'everything now');
    await waitFor(() => pushesTo('levels-bob').length === 2, 10_000, 'the plain message');
    expect(payloadsTo('levels-bob')[1]).toMatchObject({ kind: 'message', mention: false, message: { content: 'everything now' } });
    // The same room, the same topic: a burst collapses to one push at the push service.
    expect(pushesTo('levels-bob')[1].topic).toBe(first.topic);

    await setLevel(url(), bob.token, 'levels', 'muted');
    await post(url(), ana.token, 'levels', 'muted @bob_levels');
    // A DM after it does push: once it arrived, the muted mention's job is done too.
    await post(url(), ana.token, await openDm(url(), ana.token, bob.user.id), 'a DM');
    await waitFor(() => pushesTo('levels-bob').length === 3, 10_000, 'the DM');
    await queueSettled(server.dbPath);
    expect(payloadsTo('levels-bob').map((payload) => payload.kind === 'message' && payload.message.content)).toEqual([
      'look @Bob_Levels, this one is yours',
      'everything now',
      'a DM',
    ]);
    const levels = await fetch(`${url()}/api/rooms/levels/notifications`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect(await levels.json()).toEqual({ room: 'levels', level: 'muted', isDefault: false });
    expect(fake.faults).toEqual([]);
  });

  it('sends nothing to a device with the app open, and pushes once it says it is hidden', async () => {
    const ana = await createSession(url(), 'Ana');
    const bob = await subscribedPerson('Bob', 'bob_open', 'open-bob');
    const socket = createSocket(url(), bob.token);
    await connectAndWait(socket);
    try {
      await post(url(), ana.token, 'general', 'while open @bob_open');
      socket.emit('app:visibility', { hidden: true });
      // The event is processed before the next one on this socket: a read ack proves it arrived.
      await socket.timeout(5_000).emitWithAck('room:delivered', { room: 'general', seq: 0 });
      await post(url(), ana.token, 'general', 'while hidden @bob_open');
      await waitFor(() => pushesTo('open-bob').length >= 1, 10_000, 'the hidden push');
      await queueSettled(server.dbPath);
      expect(payloadsTo('open-bob').map((payload) => payload.kind === 'message' && payload.message.content)).toEqual([
        'while hidden @bob_open',
      ]);
    } finally {
      socket.disconnect();
    }
  });

  it('tells the other devices when the room is read, once, so they close its notifications', async () => {
    const ana = await createSession(url(), 'Ana');
    const bob = await subscribedPerson('Bob', 'bob_read', 'read-bob');
    const message = await post(url(), ana.token, 'general', 'read me @bob_read');
    await waitFor(() => pushesTo('read-bob').length === 1, 10_000, 'the message push');

    // Bob reads it on a second device (a new session of his: a device-link code signs it in).
    const link = (await expectOk(
      fetch(`${url()}/api/devices/link`, { method: 'POST', headers: { authorization: `Bearer ${bob.token}` } }),
      201,
    )) as { code: string };
    const phone = (await expectOk(
      fetch(`${url()}/api/devices/redeem`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: link.code }),
      }),
      200,
    )) as { token: string };
    const socket = createSocket(url(), phone.token);
    await connectAndWait(socket);
    try {
      const read = await socket.timeout(5_000).emitWithAck('room:read', { room: 'general', seq: message.seq });
      expect(read).toMatchObject({ ok: true });
      await waitFor(() => pushesTo('read-bob').length === 2, 10_000, 'the read push');
      expect(payloadsTo('read-bob')[1]).toEqual({ kind: 'read', room: 'general', seq: message.seq });
      expect(pushesTo('read-bob')[1].topic).toBe(pushesTo('read-bob')[0].topic);
      // Reading again shows nothing new: no second read push.
      await socket.timeout(5_000).emitWithAck('room:read', { room: 'general', seq: message.seq });
      await post(url(), ana.token, 'general', 'after @bob_read');
      await waitFor(() => pushesTo('read-bob').length === 3, 10_000, 'the next message');
      await queueSettled(server.dbPath);
      expect(payloadsTo('read-bob').map((payload) => payload.kind)).toEqual(['message', 'read', 'message']);
    } finally {
      socket.disconnect();
    }
  });

  it('deletes a subscription whose endpoint answers 410', async () => {
    const ana = await createSession(url(), 'Ana');
    const before = subscriptionCount(server.dbPath);
    await subscribedPerson('Cat', 'cat_gone', 'gone-cat');
    expect(subscriptionCount(server.dbPath)).toBe(before + 1);
    fake.answer('gone-cat', { status: 410 });
    await post(url(), ana.token, 'general', 'are you there @cat_gone');
    await waitFor(() => subscriptionCount(server.dbPath) === before, 10_000, 'the subscription to go');
    expect(fake.requests.get('gone-cat')).toBe(1);
    expect(pushesTo('gone-cat')).toEqual([]);
  });

  it('retries after a 429, when Retry-After says, and delivers', async () => {
    const ana = await createSession(url(), 'Ana');
    await subscribedPerson('Dan', 'dan_busy', 'busy-dan');
    fake.answer('busy-dan', { status: 429, headers: { 'Retry-After': '1' } }, { status: 503 });
    await post(url(), ana.token, 'general', 'eventually @dan_busy');
    await waitFor(() => pushesTo('busy-dan').length === 1, 20_000, 'the retried push');
    expect(fake.requests.get('busy-dan')).toBe(3);
    expect(payloadsTo('busy-dan')[0]).toMatchObject({ kind: 'message', message: { content: 'eventually @dan_busy' } });
  });

  it('cuts a long message to fit 4 KB and says so', async () => {
    const ana = await createSession(url(), 'Ana');
    await subscribedPerson('Eve', 'eve_long', 'long-eve');
    const content = `@eve_long ${'💬'.repeat(3000)}`;
    await post(url(), ana.token, 'general', content);
    await waitFor(() => pushesTo('long-eve').length === 1, 10_000, 'the long push');
    const payload = payloadsTo('long-eve')[0];
    expect(payload).toMatchObject({ kind: 'message', complete: false, mention: true });
    const cut = payload.kind === 'message' ? payload.message.content : '';
    expect(cut.endsWith('…')).toBe(true);
    expect(content.startsWith(cut.slice(0, -1))).toBe(true);
    expect(fake.faults).toEqual([]);
  });

  it('refuses endpoints that are not push services, or are addresses, when subscribing', async () => {
    const eve = await createSession(url(), 'Eve');
    const keys = fake.subscriber('refused').subscription.keys;
    for (const endpoint of [
      'https://evil.example.com/push/1',
      'https://127.0.0.1/push/1',
      'https://[::1]/push/1',
      'https://169.254.169.254/latest/meta-data',
      'http://localhost/push/1',
      'https://localhost:8443/push/1',
      `${fake.origin.replace('127.0.0.1', 'localhost')}/push/1`,
    ]) {
      const answer = await subscribe(url(), eve.token, { endpoint, keys });
      expect(answer.status, endpoint).toBe(400);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('invalid');
    }
    const badKey = await subscribe(url(), eve.token, {
      endpoint: `${fake.origin}/push/x`,
      keys: { ...keys, p256dh: keys.p256dh.replace(/^.{10}/, 'AAAAAAAAAA') },
    });
    expect(badKey.status).toBe(400);
  });

  it('refuses at send time a push-service name that resolves to a private address, and drops the subscription', async () => {
    const ana = await createSession(url(), 'Ana');
    const before = subscriptionCount(server.dbPath);
    const fay = await createSession(url(), 'Fay');
    await claimHandle(url(), fay.token, 'fay_inside');
    // "localhost" is a push-service name by this server's config, so the subscription is accepted…
    const keys = fake.subscriber('inside').subscription.keys;
    await expectOk(subscribe(url(), fay.token, { endpoint: 'https://localhost/push/inside', keys }), 201);
    expect(subscriptionCount(server.dbPath)).toBe(before + 1);
    // …but it resolves to loopback: nothing is sent and the subscription goes.
    await post(url(), ana.token, 'general', 'hello @fay_inside');
    await waitFor(() => subscriptionCount(server.dbPath) === before, 10_000, 'the subscription to go');
    expect(fake.requests.get('inside')).toBeUndefined();
  });

  it('deletes this device’s subscription on DELETE', async () => {
    const gus = await subscribedPerson('Gus', 'gus_leaves', 'leaves-gus');
    const count = subscriptionCount(server.dbPath);
    expect(
      await expectOk(
        fetch(`${url()}/api/push/subscriptions`, { method: 'DELETE', headers: { authorization: `Bearer ${gus.token}` } }),
        200,
      ),
    ).toEqual({
      deleted: true,
    });
    expect(subscriptionCount(server.dbPath)).toBe(count - 1);
  });
});
