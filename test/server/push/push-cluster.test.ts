/**
 * Web Push on the 2-worker SQLite cluster as npm start runs it: a device with a socket on either
 * worker gets no push whichever worker took the send, and a queued push survives a restart
 * (kept in push_queue, sent by the new processes, signed with the same VAPID key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushPayload } from '../../../shared/push';
import { connectAndWait, createSession, createSocket, waitFor } from '../../support/clients';
import { startFakePushService, type FakePushService } from '../../support/fake-push-service';
import { claimHandle, expectOk, post, queueLength, queueSettled, subscribe } from '../../support/push-clients';
import { removeTempDirs, startServer, type RunningServer } from '../../support/server';

let fake: FakePushService;
let server: RunningServer;

beforeAll(async () => {
  fake = await startFakePushService();
  server = await startServer({ workers: 2, env: { CHAT_PUSH_ENDPOINTS: fake.origin } });
});
afterAll(async () => {
  await server?.stop();
  await fake?.close();
  removeTempDirs();
});

const contents = (id: string) =>
  fake.received.filter((push) => push.subscriber === id).map((push) => (push.payload as PushPayload & { kind: 'message' }).message.content);

describe('Web Push on the 2-worker cluster', () => {
  it('sends nothing while the device has a socket on any worker, and survives a restart of the cluster', async () => {
    const ana = await createSession(server.url, 'Ana');
    const bob = await createSession(server.url, 'Bob');
    await claimHandle(server.url, bob.token, 'bob');
    await expectOk(subscribe(server.url, bob.token, fake.subscriber('bob').subscription), 201);

    const socket = createSocket(server.url, bob.token);
    await connectAndWait(socket);
    try {
      // HTTP requests alternate between the workers: the socket is on one of them, the sends land on both.
      for (let index = 0; index < 4; index++) await post(server.url, ana.token, 'general', `open ${index} @bob`);
      // Pushes are queued a turn after the ack and decided when the queue takes them: wait for that
      // while the socket is still open, or a push decided after the disconnect below is (rightly) sent.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await queueSettled(server.dbPath);
    } finally {
      socket.disconnect();
    }
    await post(server.url, ana.token, 'general', 'closed @bob');
    await waitFor(() => contents('bob').length >= 1, 15_000, 'the push after the socket closed');
    await queueSettled(server.dbPath);
    expect(contents('bob')).toEqual(['closed @bob']);
    const key = fake.received[0].vapidKey;

    // The push service is busy and says when to come back: the push waits in the queue.
    fake.answer('bob', { status: 503, headers: { 'Retry-After': '8' } });
    await post(server.url, ana.token, 'general', 'across the restart @bob');
    await waitFor(() => fake.requests.get('bob') === 2, 15_000, 'the refused attempt').catch((error: unknown) => {
      throw new Error(`${String(error)} requests ${fake.requests.get('bob')} queue ${queueLength(server.dbPath)}\n${server.output()}`);
    });
    const stopped = await server.stop();
    expect(stopped.forced).toBe(false);
    expect(contents('bob')).toEqual(['closed @bob']);
    expect(queueLength(server.dbPath)).toBe(1);

    server = await startServer({ workers: 2, dbPath: server.dbPath, env: { CHAT_PUSH_ENDPOINTS: fake.origin } });
    await waitFor(() => contents('bob').length === 2, 30_000, 'the queued push after the restart');
    expect(contents('bob')).toEqual(['closed @bob', 'across the restart @bob']);
    expect(fake.received[1].vapidKey).toBe(key);
    expect(fake.faults).toEqual([]);
    await queueSettled(server.dbPath);
    expect(queueLength(server.dbPath)).toBe(0);
  });
});
