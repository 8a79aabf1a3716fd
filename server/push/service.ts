/**
 * Web Push for one server process (#16): the VAPID keys (config, or generated once and kept in
 * the store, so every process and instance signs with the same pair), the queueing hooks the
 * send and read paths call, and this process's sender.
 *
 * The send path stays cheap: `committed` only remembers the message; the insert happens after
 * the current turn of the event loop (the ack is on its way by then), one row per message, in one
 * transaction per batch. While nobody on the server has a subscription, nothing is queued at
 * all (checked every few seconds, and at once on this process when a device subscribes).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Message, RoomId } from '../../shared/protocol';
import type { PushConfig } from '../config';
import type { NewPushJob, PushStore, VapidKeys } from '../store/push-store';
import type { Store } from '../store/store';
import { startSender } from './sender';
import { log } from '../observe/log';

export type PushService = {
  publicKey: string;
  store: PushStore;
  config: PushConfig;
  /** A message was committed (called by the send path right after publishing it). */
  committed(message: Message): void;
  /** `userId` read `room` up to `seq` on device `sessionId`: their other devices may close notifications. */
  read(userId: string, sessionId: string, room: RoomId, seq: number): void;
  /** A device subscribed on this process: start queueing now, and tell the other processes (`announce`). */
  subscribed(): void;
  /** A device subscribed on another process. */
  subscribedElsewhere(): void;
  /** How `subscribed` reaches the other processes; set once the adapter exists. */
  announce: () => void;
  /** Sends what is due now (tests; the sender also polls). */
  wake(): void;
  close(): Promise<void>;
};

const SUBSCRIBERS_CHECK_MS = 5_000;

/**
 * A fresh VAPID key pair as web-push writes one: the P-256 public key uncompressed (65 bytes) and
 * the private scalar (32 bytes), both base64url. With node:crypto, so the worker does not load
 * web-push (only the send processes sign with it).
 */
export function generateVapidKeys(): VapidKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const { x, y } = publicKey.export({ format: 'jwk' });
  const { d } = privateKey.export({ format: 'jwk' });
  if (!x || !y || !d) throw new Error('node:crypto exported an incomplete P-256 key');
  const uncompressed = Buffer.concat([Buffer.from([4]), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')]);
  return { publicKey: uncompressed.toString('base64url'), privateKey: d };
}

export async function resolveVapidKeys(config: PushConfig, push: PushStore): Promise<VapidKeys> {
  if (config.vapidKeys) return config.vapidKeys;
  return push.vapidKeys(generateVapidKeys());
}

export async function startPush(
  config: PushConfig,
  store: Store,
  push: PushStore,
  awake: (sessionIds: string[]) => Promise<Set<string>>,
): Promise<PushService> {
  const keys = await resolveVapidKeys(config, push);
  const sender = startSender({ store, push, config, vapid: { ...keys, subject: config.vapidSubject }, awake });
  let someoneSubscribed = await push.anySubscriptions();
  const check = setInterval(() => {
    push.anySubscriptions().then(
      (any) => (someoneSubscribed = any),
      () => undefined,
    );
  }, SUBSCRIBERS_CHECK_MS);
  check.unref();

  let pending: NewPushJob[] = [];
  const flush = () => {
    const jobs = pending;
    pending = [];
    // A message in a room where no member has a subscribed device is not queued: a busy room
    // nobody gets pushes for would otherwise cost three writes per message (queue, claim, finish).
    const rooms = jobs.filter((job) => job.kind === 'message').map((job) => job.room);
    (rooms.length > 0 ? push.subscribedRooms(rooms) : Promise.resolve(new Set<string>()))
      .then((subscribed) => push.enqueue(jobs.filter((job) => job.kind !== 'message' || subscribed.has(job.room))))
      .then(sender.wake, (error: unknown) => log.warn(`push: could not queue ${jobs.length} pushes: ${(error as Error).message}`));
  };
  const queue = (job: NewPushJob) => {
    if (!someoneSubscribed) return;
    // setImmediate runs after the ack's microtasks: queueing never delays an ack.
    if (pending.length === 0) setImmediate(flush);
    pending.push(job);
  };
  const expiry = () => Date.now() + config.ttlSeconds * 1000;

  const service: PushService = {
    announce: () => undefined,
    publicKey: keys.publicKey,
    store: push,
    config,
    committed(message) {
      queue({
        kind: 'message',
        room: message.room,
        seq: message.seq,
        userId: null,
        sessionId: null,
        payload: null,
        expiresAt: expiry(),
        notBefore: 0,
      });
    },
    read(userId, sessionId, room, seq) {
      queue({ kind: 'read', room, seq, userId, sessionId, payload: null, expiresAt: expiry(), notBefore: 0 });
    },
    subscribed() {
      if (!someoneSubscribed) service.announce();
      someoneSubscribed = true;
    },
    subscribedElsewhere() {
      someoneSubscribed = true;
    },
    wake: sender.wake,
    async close() {
      clearInterval(check);
      if (pending.length > 0) flush();
      await sender.stop();
      await push.close();
    },
  };
  return service;
}
