/**
 * What Web Push keeps (#16), beside the Store: subscriptions per device session, the VAPID
 * keys, levels per person and room, and the durable queue the sender claims from. SQLite
 * (sqlite-push.ts) and PostgreSQL (postgres-push.ts) implement it over the same tables.
 */
import type { NotificationLevel } from '../../shared/push';
import type { RoomId } from '../../shared/protocol';

export type VapidKeys = { publicKey: string; privateKey: string };

export type PushSubscriptionRecord = { sessionId: string; userId: string; endpoint: string; p256dh: string; auth: string };

/** A subscribed device of a room member, with what decides whether it gets a push. */
export type PushTarget = PushSubscriptionRecord & { level: NotificationLevel | null; handle: string | null; name: string };

/**
 * `message`: fan out `room`'s message `seq`. `read`: `userId` read `room` up to `seq` on device
 * `sessionId`. `delivery`: one push (`payload`) to device `sessionId`, to try again.
 */
export type PushJob = {
  id: number;
  kind: 'message' | 'read' | 'delivery';
  room: RoomId;
  seq: number;
  userId: string | null;
  sessionId: string | null;
  payload: string | null;
  attempts: number;
  expiresAt: number;
};
export type NewPushJob = Omit<PushJob, 'id' | 'attempts'> & { attempts?: number; notBefore: number };

export interface PushStore {
  /** The keys every process signs with: the stored pair, or `generated` stored now (the first caller wins a race). */
  vapidKeys(generated: VapidKeys): Promise<VapidKeys>;
  /** This device's subscription, replacing its previous one and any other session's with the same endpoint. */
  saveSubscription(subscription: PushSubscriptionRecord, now: number): Promise<void>;
  /** Returns whether the device had one. */
  deleteSubscription(sessionId: string): Promise<boolean>;
  /** The push service said the endpoint is gone (404/410), or it points somewhere we do not send. */
  deleteEndpoint(endpoint: string): Promise<void>;
  subscriptionOf(sessionId: string): Promise<PushSubscriptionRecord | null>;
  subscriptionsOfUser(userId: string): Promise<PushSubscriptionRecord[]>;
  /** Whether anyone at all has a subscription (the send path skips queueing while no one does). */
  anySubscriptions(): Promise<boolean>;
  /** Of these rooms, those with a subscribed device among their members (general: anyone subscribed). */
  subscribedRooms(rooms: RoomId[]): Promise<Set<RoomId>>;
  /**
   * The subscribed devices of the room's members but `authorId`, a page of up to `limit` people
   * (every device of each) whose user id sorts after `afterUserId` (start with ''), in user id
   * order; `lastUserId` is where the next page starts, null after the last one. Pages keep each
   * query short: a 10,000-member room read at once held a worker's event loop for 100 ms.
   */
  targetsPage(
    room: RoomId,
    authorId: string,
    afterUserId: string,
    limit: number,
  ): Promise<{ targets: PushTarget[]; lastUserId: string | null }>;

  /** The person's chosen level for the room; null: the room's default. */
  levelOf(userId: string, room: RoomId): Promise<NotificationLevel | null>;
  setLevel(userId: string, room: RoomId, level: NotificationLevel): Promise<void>;

  enqueue(jobs: NewPushJob[]): Promise<void>;
  /** Whether a job is due now and unclaimed: a read, so idle polling writes nothing. */
  anyDue(now: number): Promise<boolean>;
  /** Claims up to `limit` due jobs until `now + leaseMs` (a sender that dies lets them come back), oldest first. */
  claim(now: number, leaseMs: number, limit: number): Promise<PushJob[]>;
  /** Done with these jobs (sent, given up, or expired). */
  finish(ids: number[]): Promise<void>;
  /** Drops jobs whose time to live has passed; returns how many. */
  dropExpired(now: number): Promise<number>;

  /** Notifications of `room` are showing on these people's devices, up to `seq`. */
  markShown(userIds: string[], room: RoomId, seq: number): Promise<void>;
  /** Whether `userId` had notifications of `room` showing up to at most `seq` (now read); forgets them. */
  takeShown(userId: string, room: RoomId, seq: number): Promise<boolean>;

  close(): Promise<void>;
}
