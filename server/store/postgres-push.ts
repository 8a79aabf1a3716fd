/**
 * The PushStore on PostgreSQL: a small pool of its own beside the Store's (the schema is the
 * Store's, migrated by it). Any instance's sender claims due jobs with FOR UPDATE SKIP LOCKED,
 * so two senders never take the same row and none waits for another's.
 */
import pg from 'pg';
import { GENERAL_ROOM } from '../../shared/limits';
import type { NotificationLevel } from '../../shared/push';
import { log } from '../observe/log';
import { ourParameters } from './postgres';
import type { PushStore } from './push-store';
import { toJob, toSubscription, toTarget } from './push-rows';

const INT8_OID = 20;
const SUBSCRIPTION_COLUMNS = 'p.session_id, p.user_id, p.endpoint, p.p256dh, p.auth';
const JOB_COLUMNS = 'id, kind, room, seq, user_id, session_id, payload, attempts, expires_at';

export async function openPostgresPushStore(url: string): Promise<PushStore> {
  const { connectionString, schema } = ourParameters(url, undefined);
  const pool = new pg.Pool({
    connectionString,
    max: 2,
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    options: `-c search_path=${schema}`,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Through the JSON log like every other line the server writes (postgres.ts says the same for its pool).
  pool.on('error', (error) => log.warn(`postgres (push): idle connection lost (${error.message})`));

  return {
    async vapidKeys(generated) {
      await pool.query('INSERT INTO push_keys (id, public_key, private_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING', [
        generated.publicKey,
        generated.privateKey,
      ]);
      const { rows } = await pool.query<{ public_key: string; private_key: string }>('SELECT public_key, private_key FROM push_keys');
      return { publicKey: rows[0].public_key, privateKey: rows[0].private_key };
    },
    async saveSubscription(subscription, now) {
      // One statement: the other session holding this endpoint goes, this device's row is written.
      await pool.query(
        `WITH gone AS (DELETE FROM push_subscriptions WHERE endpoint = $3 AND session_id <> $1)
         INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (session_id) DO UPDATE SET endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth,
           created_at = excluded.created_at`,
        [subscription.sessionId, subscription.userId, subscription.endpoint, subscription.p256dh, subscription.auth, now],
      );
    },
    async deleteSubscription(sessionId) {
      return ((await pool.query('DELETE FROM push_subscriptions WHERE session_id = $1', [sessionId])).rowCount ?? 0) > 0;
    },
    async deleteEndpoint(endpoint) {
      await pool.query('DELETE FROM push_subscriptions WHERE endpoint = $1', [endpoint]);
    },
    async subscriptionOf(sessionId) {
      const { rows } = await pool.query(`SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions p WHERE p.session_id = $1`, [sessionId]);
      return rows[0] ? toSubscription(rows[0]) : null;
    },
    async subscriptionsOfUser(userId) {
      const { rows } = await pool.query(
        `SELECT ${SUBSCRIPTION_COLUMNS} FROM push_subscriptions p WHERE p.user_id = $1 ORDER BY p.session_id`,
        [userId],
      );
      return rows.map(toSubscription);
    },
    async anySubscriptions() {
      return ((await pool.query('SELECT 1 FROM push_subscriptions LIMIT 1')).rowCount ?? 0) > 0;
    },
    async subscribedRooms(rooms) {
      const others = [...new Set(rooms)].filter((room) => room !== GENERAL_ROOM);
      const found = new Set<string>();
      if (rooms.includes(GENERAL_ROOM) && ((await pool.query('SELECT 1 FROM push_subscriptions LIMIT 1')).rowCount ?? 0) > 0)
        found.add(GENERAL_ROOM);
      if (others.length > 0) {
        const { rows } = await pool.query<{ room: string }>(
          `SELECT r.room FROM unnest($1::TEXT[]) AS r(room)
           WHERE EXISTS (SELECT 1 FROM members m JOIN push_subscriptions p ON p.user_id = m.user_id WHERE m.room = r.room)`,
          [others],
        );
        for (const row of rows) found.add(row.room);
      }
      return found;
    },
    async targetsPage(room, authorId, afterUserId, limit) {
      // A page of people first (by user id), then every device of each; general's members are implicit.
      const people =
        room === GENERAL_ROOM
          ? 'SELECT DISTINCT user_id FROM push_subscriptions WHERE user_id > $3 AND user_id <> $2 ORDER BY user_id LIMIT $4'
          : 'SELECT user_id FROM members WHERE room = $1 AND user_id > $3 AND user_id <> $2 ORDER BY user_id LIMIT $4';
      const { rows } = await pool.query(
        `WITH page AS (${people})
         SELECT ${SUBSCRIPTION_COLUMNS}, l.level, u.handle, u.name, NULL AS page_end, NULL AS page_size
         FROM page JOIN push_subscriptions p ON p.user_id = page.user_id
         JOIN users u ON u.id = p.user_id
         LEFT JOIN push_levels l ON l.user_id = p.user_id AND l.room = $1
         UNION ALL
         SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, max(user_id), count(*) FROM page`,
        [room, authorId, afterUserId, limit],
      );
      const endAt = rows.findIndex((row: { page_size: unknown }) => row.page_size !== null);
      const [end] = rows.splice(endAt, 1) as { page_end: string | null; page_size: string | number }[];
      return { targets: rows.map(toTarget), lastUserId: Number(end.page_size) === limit ? end.page_end : null };
    },
    async levelOf(userId, room) {
      const { rows } = await pool.query<{ level: NotificationLevel }>('SELECT level FROM push_levels WHERE user_id = $1 AND room = $2', [
        userId,
        room,
      ]);
      return rows[0]?.level ?? null;
    },
    async setLevel(userId, room, level) {
      await pool.query(
        'INSERT INTO push_levels (user_id, room, level) VALUES ($1, $2, $3) ON CONFLICT (user_id, room) DO UPDATE SET level = excluded.level',
        [userId, room, level],
      );
    },
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      // One round trip for the batch, whatever its size.
      await pool.query(
        `INSERT INTO push_queue (kind, room, seq, user_id, session_id, payload, attempts, expires_at, not_before)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::bigint[])`,
        [
          jobs.map((job) => job.kind),
          jobs.map((job) => job.room),
          jobs.map((job) => job.seq),
          jobs.map((job) => job.userId),
          jobs.map((job) => job.sessionId),
          jobs.map((job) => job.payload),
          jobs.map((job) => job.attempts ?? 0),
          jobs.map((job) => job.expiresAt),
          jobs.map((job) => job.notBefore),
        ],
      );
    },
    async anyDue(now) {
      return (
        ((await pool.query('SELECT 1 FROM push_queue WHERE not_before <= $1 AND claimed_until <= $1 LIMIT 1', [now])).rowCount ?? 0) > 0
      );
    },
    async claim(now, leaseMs, limit) {
      const { rows } = await pool.query(
        `UPDATE push_queue SET claimed_until = $2 WHERE id IN (
           SELECT id FROM push_queue WHERE not_before <= $1 AND claimed_until <= $1 ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING ${JOB_COLUMNS}`,
        [now, now + leaseMs, limit],
      );
      return rows.map(toJob).sort((a, b) => a.id - b.id);
    },
    async finish(ids) {
      if (ids.length > 0) await pool.query('DELETE FROM push_queue WHERE id = ANY($1::bigint[])', [ids]);
    },
    async dropExpired(now) {
      return (await pool.query('DELETE FROM push_queue WHERE expires_at <= $1', [now])).rowCount ?? 0;
    },
    async markShown(userIds, room, seq) {
      if (userIds.length === 0) return;
      await pool.query(
        `INSERT INTO push_shown (user_id, room, seq) SELECT unnest($1::text[]), $2, $3
         ON CONFLICT (user_id, room) DO UPDATE SET seq = greatest(push_shown.seq, excluded.seq)`,
        [userIds, room, seq],
      );
    },
    async takeShown(userId, room, seq) {
      return (
        ((await pool.query('DELETE FROM push_shown WHERE user_id = $1 AND room = $2 AND seq <= $3', [userId, room, seq])).rowCount ?? 0) > 0
      );
    },
    async close() {
      await pool.end();
    },
  };
}
