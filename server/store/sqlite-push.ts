/**
 * The PushStore on SQLite: its own connection to the chat file (the Store's migrations made the
 * tables). Every worker of a cluster opens one and claims from the same queue: a claim is one
 * UPDATE … RETURNING, atomic under SQLite's single writer. synchronous=NORMAL: a queued push
 * survives a crash of the process (WAL), only a power cut may lose the last ones; it is a hint
 * about a message that is itself stored with FULL durability.
 */
import Database from 'better-sqlite3';
import { GENERAL_ROOM } from '../../shared/limits';
import type { NotificationLevel } from '../../shared/push';
import { LOCK_WAIT_MS } from './sqlite-append';
import type { NewPushJob, PushStore, PushSubscriptionRecord, VapidKeys } from './push-store';
import { toJob, toSubscription, toTarget, type JobRow, type SubscriptionRow, type TargetRow } from './push-rows';

const SUBSCRIPTION_COLUMNS = 'p.session_id, p.user_id, p.endpoint, p.p256dh, p.auth';
const JOB_COLUMNS = 'id, kind, room, seq, user_id, session_id, payload, attempts, expires_at';

export function openSqlitePushStore(path: string): PushStore {
  const db = new Database(path, { timeout: LOCK_WAIT_MS });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // From here no busy wait inside SQLite: it would sleep on this process's event loop (and the
  // acks behind it) while the primary's group commit holds the write lock. A busy statement is
  // retried on a timer instead (withoutBlockingOnLocks).
  db.pragma('busy_timeout = 0');

  const q = {
    insertKeys: db.prepare('INSERT INTO push_keys (id, public_key, private_key) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING'),
    keys: db.prepare<[], { public_key: string; private_key: string }>('SELECT public_key, private_key FROM push_keys WHERE id = 1'),
    deleteByEndpointElsewhere: db.prepare('DELETE FROM push_subscriptions WHERE endpoint = ? AND session_id <> ?'),
    upsertSubscription: db.prepare(
      `INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth,
         created_at = excluded.created_at`,
    ),
    deleteSubscription: db.prepare('DELETE FROM push_subscriptions WHERE session_id = ?'),
    deleteEndpoint: db.prepare('DELETE FROM push_subscriptions WHERE endpoint = ?'),
    subscriptionOf: db.prepare<[string], SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions p WHERE p.session_id = ?`,
    ),
    subscriptionsOfUser: db.prepare<[string], SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions p WHERE p.user_id = ? ORDER BY p.session_id`,
    ),
    any: db.prepare<[], { found: number }>('SELECT 1 AS found FROM push_subscriptions LIMIT 1'),
    // General's membership is implicit (everyone); other rooms list theirs in members, and the
    // query starts there (members_by_room), not at every subscription on the server.
    // A page of people first (by user id), then every device of each: a person's devices never
    // straddle two pages.
    targetsOfGeneral: db.prepare<{ author: string; after: string; limit: number }, TargetRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS}, l.level, u.handle, u.name
       FROM (SELECT DISTINCT user_id FROM push_subscriptions
             WHERE user_id > @after AND user_id <> @author ORDER BY user_id LIMIT @limit) page
       JOIN push_subscriptions p ON p.user_id = page.user_id
       JOIN users u ON u.id = p.user_id
       LEFT JOIN push_levels l ON l.user_id = p.user_id AND l.room = '${GENERAL_ROOM}'
       ORDER BY p.user_id`,
    ),
    targetsOfRoom: db.prepare<{ room: string; author: string; after: string; limit: number }, TargetRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS}, l.level, u.handle, u.name
       FROM (SELECT m.user_id FROM members m
             WHERE m.room = @room AND m.user_id > @after AND m.user_id <> @author ORDER BY m.user_id LIMIT @limit) page
       JOIN push_subscriptions p ON p.user_id = page.user_id
       JOIN users u ON u.id = p.user_id
       LEFT JOIN push_levels l ON l.user_id = p.user_id AND l.room = @room
       ORDER BY p.user_id`,
    ),
    lastOfGeneralPage: db.prepare<{ author: string; after: string; limit: number }, { user_id: string | null; n: number }>(
      `SELECT max(user_id) AS user_id, count(*) AS n FROM (SELECT DISTINCT user_id FROM push_subscriptions
         WHERE user_id > @after AND user_id <> @author ORDER BY user_id LIMIT @limit)`,
    ),
    lastOfRoomPage: db.prepare<{ room: string; author: string; after: string; limit: number }, { user_id: string | null; n: number }>(
      `SELECT max(user_id) AS user_id, count(*) AS n FROM (SELECT m.user_id FROM members m
         WHERE m.room = @room AND m.user_id > @after AND m.user_id <> @author ORDER BY m.user_id LIMIT @limit)`,
    ),
    roomSubscribed: db.prepare<[string], { found: number }>(
      'SELECT 1 AS found FROM members m JOIN push_subscriptions p ON p.user_id = m.user_id WHERE m.room = ? LIMIT 1',
    ),
    levelOf: db.prepare<[string, string], { level: NotificationLevel }>('SELECT level FROM push_levels WHERE user_id = ? AND room = ?'),
    setLevel: db.prepare(
      'INSERT INTO push_levels (user_id, room, level) VALUES (?, ?, ?) ON CONFLICT (user_id, room) DO UPDATE SET level = excluded.level',
    ),
    enqueue: db.prepare(
      `INSERT INTO push_queue (kind, room, seq, user_id, session_id, payload, attempts, expires_at, not_before)
       VALUES (@kind, @room, @seq, @userId, @sessionId, @payload, @attempts, @expiresAt, @notBefore)`,
    ),
    anyDue: db.prepare<[number, number], { found: number }>(
      'SELECT 1 AS found FROM push_queue WHERE not_before <= ? AND claimed_until <= ? LIMIT 1',
    ),
    claim: db.prepare<[number, number, number, number], JobRow>(
      `UPDATE push_queue SET claimed_until = ? WHERE id IN (
         SELECT id FROM push_queue WHERE not_before <= ? AND claimed_until <= ? ORDER BY id LIMIT ?)
       RETURNING ${JOB_COLUMNS}`,
    ),
    finish: db.prepare('DELETE FROM push_queue WHERE id IN (SELECT value FROM json_each(?))'),
    dropExpired: db.prepare('DELETE FROM push_queue WHERE expires_at <= ?'),
    markShown: db.prepare(
      `INSERT INTO push_shown (user_id, room, seq) SELECT value, ?, ? FROM json_each(?) WHERE true
       ON CONFLICT (user_id, room) DO UPDATE SET seq = max(seq, excluded.seq)`,
    ),
    takeShown: db.prepare<[string, string, number], { seq: number }>(
      'DELETE FROM push_shown WHERE user_id = ? AND room = ? AND seq <= ? RETURNING seq',
    ),
  };

  const enqueueAll = db.transaction((jobs: NewPushJob[]) => {
    for (const job of jobs) q.enqueue.run({ ...job, attempts: job.attempts ?? 0 });
  });
  const saveSubscription = db.transaction((subscription: PushSubscriptionRecord, now: number) => {
    // A browser keeps one endpoint across sign-ins: the device's newest session owns it.
    q.deleteByEndpointElsewhere.run(subscription.endpoint, subscription.sessionId);
    q.upsertSubscription.run(
      subscription.sessionId,
      subscription.userId,
      subscription.endpoint,
      subscription.p256dh,
      subscription.auth,
      now,
    );
  });

  const store: PushStore = {
    async vapidKeys(generated: VapidKeys) {
      q.insertKeys.run(generated.publicKey, generated.privateKey);
      const row = q.keys.get();
      if (!row) throw new Error('push_keys has no row after inserting one');
      return { publicKey: row.public_key, privateKey: row.private_key };
    },
    async saveSubscription(subscription, now) {
      saveSubscription.immediate(subscription, now);
    },
    async deleteSubscription(sessionId) {
      return q.deleteSubscription.run(sessionId).changes > 0;
    },
    async deleteEndpoint(endpoint) {
      q.deleteEndpoint.run(endpoint);
    },
    async subscriptionOf(sessionId) {
      const row = q.subscriptionOf.get(sessionId);
      return row ? toSubscription(row) : null;
    },
    async subscriptionsOfUser(userId) {
      return q.subscriptionsOfUser.all(userId).map(toSubscription);
    },
    async anySubscriptions() {
      return q.any.get() !== undefined;
    },
    async subscribedRooms(rooms) {
      const found = new Set<string>();
      for (const room of new Set(rooms))
        if (room === GENERAL_ROOM ? q.any.get() !== undefined : q.roomSubscribed.get(room) !== undefined) found.add(room);
      return found;
    },
    async targetsPage(room, authorId, afterUserId, limit) {
      const general = room === GENERAL_ROOM;
      const page = { author: authorId, after: afterUserId, limit };
      // Members without a device count toward the page too: where it ends is read apart.
      const end = general ? q.lastOfGeneralPage.get(page) : q.lastOfRoomPage.get({ ...page, room });
      const rows = general ? q.targetsOfGeneral.all(page) : q.targetsOfRoom.all({ ...page, room });
      return { targets: rows.map(toTarget), lastUserId: end?.n === limit ? end.user_id : null };
    },
    async levelOf(userId, room) {
      return q.levelOf.get(userId, room)?.level ?? null;
    },
    async setLevel(userId, room, level) {
      q.setLevel.run(userId, room, level);
    },
    async enqueue(jobs) {
      if (jobs.length > 0) enqueueAll.immediate(jobs);
    },
    async anyDue(now) {
      return q.anyDue.get(now, now) !== undefined;
    },
    async claim(now, leaseMs, limit) {
      return q.claim.all(now + leaseMs, now, now, limit).map(toJob);
    },
    async finish(ids) {
      if (ids.length > 0) q.finish.run(JSON.stringify(ids));
    },
    async dropExpired(now) {
      return q.dropExpired.run(now).changes;
    },
    async markShown(userIds, room, seq) {
      if (userIds.length > 0) q.markShown.run(room, seq, JSON.stringify(userIds));
    },
    async takeShown(userId, room, seq) {
      return q.takeShown.get(userId, room, seq) !== undefined;
    },
    async close() {
      db.close();
    },
  };
  return withoutBlockingOnLocks(store);
}

const isBusy = (error: unknown) => /^SQLITE_BUSY/.test((error as { code?: string }).code ?? '');

/**
 * Every method retried while SQLite says another connection holds the lock (1, 2, 4 … 50 ms
 * apart, up to LOCK_WAIT_MS), the event loop free meanwhile. A statement that failed busy did
 * nothing (a transaction rolled back whole), so running it again is safe.
 */
function withoutBlockingOnLocks(store: PushStore): PushStore {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(store) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = async (...args: unknown[]) => {
      const started = Date.now();
      for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
        try {
          return await method(...args);
        } catch (error) {
          if (!isBusy(error) || Date.now() - started > LOCK_WAIT_MS) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    };
  }
  return wrapped as unknown as PushStore;
}
