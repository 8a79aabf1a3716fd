/**
 * Store on PostgreSQL for the scale-out mode: several server instances on
 * several machines share one database. Appends are group-committed (everything
 * that arrives while a transaction is in flight goes into the next one) and acked
 * only after COMMIT; storage failures surface as StoreUnavailableError and the
 * pool reconnects by itself when PostgreSQL comes back.
 *
 * Why ids are commit-ordered: a sequence hands out numbers in *call* order, so
 * with two writers id 8 can commit before id 7 and a reader that saw 8 may never
 * look back for 7. Every message-writing transaction instead starts by updating
 * the single `message_ids` row: its row lock is held until COMMIT, so these
 * transactions run one at a time, cluster-wide, and ids follow commit order.
 * The trade-off: writes do not run in parallel, even across rooms and instances
 * (one commit, one WAL flush at a time). Two things keep throughput up: group
 * commit (each transaction carries every append that queued behind the previous
 * one) and a single round trip per batch (`append_messages` in postgres-schema.ts),
 * so the lock is held for the work and the flush, never for network waits.
 * (A transaction-level advisory lock would serialize the same way; the row also
 * hands out the ids, so one statement does both.)
 */
import pg from 'pg';
import { hostname } from 'node:os';
import { ConfigError } from '../config';
import { GENERAL_ROOM } from '../../shared/limits';
import type { User } from '../../shared/protocol';
import { createGroupCommit } from './group-commit';
import { appendBatch } from './postgres-append';
import { inTransaction, withClient } from './postgres-client';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './message-row';
import { migrate } from './postgres-schema';
import { encodePage, StoreUnavailableError, type AppendResult, type NewMessage, type Store } from './store';

export type PostgresOptions = {
  /** Schema for every table (created if missing); overrides `?schema=` in the URL. Default `public`. */
  schema?: string;
  /** Most connections this process opens; overrides `?pool=` in the URL. Default 4. */
  maxConnections?: number;
};

/** Larger batches only lengthen the time the global writer lock is held. */
const MAX_BATCH = 500;
const INT8_OID = 20;
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * `url` is a libpq-style URL with two extra query parameters of ours:
 * `?schema=name` puts every table in that schema (tests use a fresh one per run),
 * `?pool=n` caps this process's connections. Every worker of every instance has
 * its own pool, so instances × workers × pool must stay below max_connections.
 */
export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<Store> {
  const { connectionString, schema, pool: poolFromUrl } = ourParameters(url, options.schema);
  const pool = new pg.Pool({
    connectionString,
    // One connection carries the serial appends; the rest serve reads (catch-up, access checks).
    max: options.maxConnections ?? poolFromUrl ?? 4,
    // Without a timeout a request would hang for as long as PostgreSQL is unreachable.
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    keepAlive: true,
    // search_path is fixed at connect time, so every pooled connection sees the same schema.
    options: `-c search_path=${schema}`,
    // ids, seqs and ms timestamps are int8 but stay far below 2^53: read them as numbers.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection dropped by a PostgreSQL restart must not crash the process;
  // the pool discards it and the next query opens a fresh one.
  pool.on('error', (error) => console.warn(`postgres: idle connection lost (${error.message})`));

  try {
    await withClient(pool, (client) => migrate(client, schema));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  const instance = `${hostname()}:${process.pid}`;
  // One transaction at a time per process: they would queue on the writer lock anyway.
  const appends = createGroupCommit<NewMessage, AppendResult>({
    commit: (batch) => appendBatch(pool, batch),
    maxBatch: MAX_BATCH,
    failure: (error) => new StoreUnavailableError(`commit failed: ${(error as Error).message}`),
  });
  let closed = false;

  /** Runs a read or small write, turning driver failures into `unavailable`. */
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new StoreUnavailableError((error as Error).message);
    }
  }

  const store: Store = {
    createUser: (user, tokenHash) =>
      guarded(async () => {
        await pool.query('INSERT INTO users (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)', [
          user.id,
          user.name,
          tokenHash,
          Date.now(),
        ]);
      }),
    userByTokenHash: (tokenHash) =>
      guarded(async () => (await pool.query<User>('SELECT id, name FROM users WHERE token_hash = $1', [tokenHash])).rows[0] ?? null),
    userById: (id) => guarded(async () => (await pool.query<User>('SELECT id, name FROM users WHERE id = $1', [id])).rows[0] ?? null),
    renameUser: (id, name) =>
      guarded(async () => {
        await pool.query('UPDATE users SET name = $1 WHERE id = $2', [name, id]);
      }),

    appendMessage: appends.submit,

    messagesAfter: (room, afterSeq, limit) =>
      guarded(async () => {
        const { rows } = await pool.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id
           WHERE m.room = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
          [room, afterSeq, limit],
        );
        return rows.map(toMessage);
      }),
    encodedMessagesAfter: async (room, afterSeq, limit) => encodePage(await store.messagesAfter(room, afterSeq, limit)),

    joinRoom: (userId, room, kind) =>
      guarded(() =>
        inTransaction(pool, async (client) => {
          const now = Date.now();
          await client.query('INSERT INTO rooms (id, kind, last_seq, created_at) VALUES ($1, $2, 0, $3) ON CONFLICT (id) DO NOTHING', [
            room,
            kind,
            now,
          ]);
          if (room !== GENERAL_ROOM) {
            await client.query('INSERT INTO members (user_id, room, joined_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
              userId,
              room,
              now,
            ]);
          }
          const { rows } = await client.query<{ last_seq: number }>('SELECT last_seq FROM rooms WHERE id = $1', [room]);
          return rows[0]?.last_seq ?? 0;
        }),
      ),
    leaveRoom: (userId, room) =>
      guarded(async () => ((await pool.query('DELETE FROM members WHERE user_id = $1 AND room = $2', [userId, room])).rowCount ?? 0) > 0),
    isMember: (userId, room) =>
      guarded(
        async () =>
          room === GENERAL_ROOM ||
          ((await pool.query('SELECT 1 FROM members WHERE user_id = $1 AND room = $2', [userId, room])).rowCount ?? 0) > 0,
      ),
    roomsOf: (userId) =>
      guarded(async () => {
        // COLLATE "C" sorts like SQLite (byte order), whatever the database's locale.
        const { rows } = await pool.query<{ id: string; last_seq: number; read_seq: number }>(
          `SELECT r.id, r.last_seq, COALESCE(c.seq, 0) AS read_seq
           FROM rooms r LEFT JOIN read_cursors c ON c.room = r.id AND c.user_id = $1
           WHERE r.id = '${GENERAL_ROOM}' OR r.id IN (SELECT room FROM members WHERE user_id = $1)
           ORDER BY r.id <> '${GENERAL_ROOM}', r.id COLLATE "C"`,
          [userId],
        );
        return rows.map((row) => ({ id: row.id, lastSeq: row.last_seq, readSeq: row.read_seq }));
      }),
    markRead: (userId, room, seq) =>
      guarded(async () => {
        const { rows } = await pool.query<{ seq: number }>(
          `INSERT INTO read_cursors (user_id, room, seq)
           SELECT $1, r.id, LEAST($3::BIGINT, r.last_seq) FROM rooms r WHERE r.id = $2
           ON CONFLICT (user_id, room) DO UPDATE SET seq = GREATEST(read_cursors.seq, excluded.seq)
           RETURNING seq`,
          [userId, room, seq],
        );
        return rows[0]?.seq ?? 0;
      }),

    // PostgreSQL's own settings (synchronous_commit, fsync) decide; nothing per connection to report here.
    durability: () => [],

    checkHealth: () =>
      guarded(async () => {
        await pool.query(
          'INSERT INTO health (instance, checked_at) VALUES ($1, $2) ON CONFLICT (instance) DO UPDATE SET checked_at = excluded.checked_at',
          [instance, Date.now()],
        );
      }),

    async close() {
      if (closed) return;
      closed = true;
      // Appends already accepted are committed (or failed) before the pool goes away.
      await appends.close();
      await pool.end();
    },
  };
  return store;
}

/** Takes `?schema=` and `?pool=` out of the URL (pg would not understand them) and validates them. */
function ourParameters(
  url: string,
  schemaOverride: string | undefined,
): { connectionString: string; schema: string; pool: number | undefined } {
  const parsed = new URL(url);
  const schema = schemaOverride ?? parsed.searchParams.get('schema') ?? 'public';
  const poolParam = parsed.searchParams.get('pool');
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('pool');
  if (!SCHEMA_PATTERN.test(schema)) throw new ConfigError(`?schema= must match ${SCHEMA_PATTERN}, got "${schema}"`);
  const pool = poolParam === null ? undefined : Number(poolParam);
  if (pool !== undefined && !(Number.isInteger(pool) && pool >= 1 && pool <= 100))
    throw new ConfigError(`?pool= must be a whole number from 1 to 100, got "${poolParam}"`);
  return { connectionString: parsed.toString(), schema, pool };
}
