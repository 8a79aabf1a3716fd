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
import { log } from '../observe/log';
import { observedCommit } from '../observe/metrics';
import { createGroupCommit } from './group-commit';
import { DEFAULT_CHANGE_RULES } from './change-rules';
import { appendBatch, type ResolvedMessage } from './postgres-append';
import { createPostgresSearchIndexer } from './postgres-search-index';
import { applyChange, findTarget, previewOf } from './postgres-changes';
import { inTransaction, withClient } from './postgres-client';
import { CHANGE_COLUMNS, MESSAGE_COLUMNS, toChange, toMessage, toUser, type ChangeRow, type MessageRow } from './message-row';
import { migrate } from './postgres-schema';
import { postgresAttachmentRecords } from './postgres-attachments';
import { PASSKEY_COLUMNS, toChallenge, toPasskey, type ChallengeRow, type PasskeyRow } from './identity-rows';
import { toSession, type SessionRow } from './session-row';
import {
  encodePage,
  encodePackedPage,
  encodeRowsPage,
  SESSION_TOUCH_MS,
  StoreUnavailableError,
  WriteRefused,
  type AppendResult,
  type ChangeRules,
  type Store,
} from './store';

export type PostgresOptions = {
  /** Schema for every table (created if missing); overrides `?schema=` in the URL. Default `public`. */
  schema?: string;
  /** Most connections this process opens; overrides `?pool=` in the URL. Default 4. */
  maxConnections?: number;
  /** What applyChange enforces about edits and reactions. */
  rules?: ChangeRules;
};

type UserRow = { id: string; name: string; handle: string | null };
const fromUserRow = (row: UserRow | undefined): User | null => (row ? toUser(row.id, row.name, row.handle) : null);

const INSERT_SESSION = 'INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)';

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
  pool.on('error', (error) => log.warn(`postgres: idle connection lost (${error.message})`));

  try {
    await withClient(pool, (client) => migrate(client, schema));
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  const instance = `${hostname()}:${process.pid}`;
  // One transaction at a time per process: they would queue on the writer lock anyway.
  const rules = options.rules ?? DEFAULT_CHANGE_RULES;
  const searchIndex = createPostgresSearchIndexer(pool);
  const appends = createGroupCommit<ResolvedMessage, AppendResult>({
    commit: observedCommit(async (batch: ResolvedMessage[]) => {
      const outcomes = await appendBatch(pool, batch);
      searchIndex.committed();
      return outcomes;
    }),
    maxBatch: MAX_BATCH,
    // One user's unstorable message must not fail the others' sends: a data exception
    // (SQLSTATE class 22, e.g. a NUL byte in text) is retried input by input.
    isolate: (error) => String((error as { code?: unknown }).code).startsWith('22'),
    failure: (error) => new StoreUnavailableError(`commit failed: ${(error as Error).message}`),
  });
  let closed = false;

  /** Runs a read or small write, turning driver failures into `unavailable`. */
  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      // A refusal by the rules is an answer, not a storage failure.
      if (error instanceof WriteRefused) throw error;
      throw new StoreUnavailableError((error as Error).message);
    }
  }

  const store: Store = {
    ...postgresAttachmentRecords(pool, guarded),
    createUser: (user, session) =>
      guarded(() =>
        inTransaction(pool, async (client) => {
          const now = Date.now();
          await client.query('INSERT INTO users (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)', [
            user.id,
            user.name,
            session.tokenHash,
            now,
          ]);
          await client.query(INSERT_SESSION, [session.id, user.id, session.tokenHash, session.device, now]);
        }),
      ),
    createSession: (userId, session) =>
      guarded(async () => {
        await pool.query(INSERT_SESSION, [session.id, userId, session.tokenHash, session.device, Date.now()]);
      }),
    authenticate: (tokenHash, now, idleSince) =>
      guarded(async () => {
        const { rows } = await pool.query<SessionRow & { name: string; handle: string | null }>(
          `SELECT s.id, s.user_id, s.device, s.created_at, s.last_seen_at, u.name, u.handle
           FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
          [tokenHash],
        );
        const row = rows[0];
        if (!row) return null;
        if (row.last_seen_at < idleSince) {
          await pool.query('DELETE FROM sessions WHERE id = $1', [row.id]);
          return null;
        }
        if (now - row.last_seen_at >= SESSION_TOUCH_MS) {
          await pool.query('UPDATE sessions SET last_seen_at = $1 WHERE id = $2', [now, row.id]);
          row.last_seen_at = now;
        }
        return { user: toUser(row.user_id, row.name, row.handle), session: toSession(row) };
      }),
    sessionsOf: (userId) =>
      guarded(async () => {
        const { rows } = await pool.query<SessionRow>(
          'SELECT id, user_id, device, created_at, last_seen_at FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, id',
          [userId],
        );
        return rows.map(toSession);
      }),
    revokeSession: (userId, sessionId) =>
      guarded(
        async () => ((await pool.query('DELETE FROM sessions WHERE id = $1 AND user_id = $2', [sessionId, userId])).rowCount ?? 0) > 0,
      ),
    userById: (id) =>
      guarded(async () => fromUserRow((await pool.query<UserRow>('SELECT id, name, handle FROM users WHERE id = $1', [id])).rows[0])),
    userByHandle: (handle) =>
      guarded(async () =>
        fromUserRow((await pool.query<UserRow>('SELECT id, name, handle FROM users WHERE handle = $1', [handle])).rows[0]),
      ),
    claimHandle: (userId, handle) =>
      guarded(async () => {
        try {
          await pool.query('UPDATE users SET handle = $1 WHERE id = $2', [handle, userId]);
          return true;
        } catch (error) {
          // The unique index decides races between instances: exactly one claim wins.
          if ((error as { code?: string }).code === '23505') return false;
          throw error;
        }
      }),

    saveChallenge: (record) =>
      guarded(async () => {
        await pool.query('DELETE FROM auth_challenges WHERE expires_at < $1', [Date.now()]);
        await pool.query('INSERT INTO auth_challenges (challenge, purpose, user_id, expires_at) VALUES ($1, $2, $3, $4)', [
          record.challenge,
          record.purpose,
          record.userId,
          record.expiresAt,
        ]);
      }),
    takeChallenge: (challenge, purpose, now) =>
      guarded(async () => {
        const { rows } = await pool.query<ChallengeRow>(
          'DELETE FROM auth_challenges WHERE challenge = $1 AND purpose = $2 AND expires_at >= $3 RETURNING challenge, purpose, user_id, expires_at',
          [challenge, purpose, now],
        );
        return rows[0] ? toChallenge(rows[0]) : null;
      }),
    addPasskey: (passkey) =>
      guarded(async () => {
        await pool.query(
          'INSERT INTO passkeys (id, user_id, public_key, counter, transports, device, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [
            passkey.id,
            passkey.userId,
            Buffer.from(passkey.publicKey),
            passkey.counter,
            passkey.transports.join(','),
            passkey.device,
            passkey.createdAt,
          ],
        );
      }),
    passkeysOf: (userId) =>
      guarded(async () => {
        const { rows } = await pool.query<PasskeyRow>(
          `SELECT ${PASSKEY_COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id`,
          [userId],
        );
        return rows.map(toPasskey);
      }),
    passkeyById: (id) =>
      guarded(async () => {
        const { rows } = await pool.query<PasskeyRow>(`SELECT ${PASSKEY_COLUMNS} FROM passkeys WHERE id = $1`, [id]);
        return rows[0] ? toPasskey(rows[0]) : null;
      }),
    passkeyUsed: (id, counter, now) =>
      guarded(async () => {
        await pool.query('UPDATE passkeys SET counter = $1, last_used_at = $2 WHERE id = $3', [counter, now, id]);
      }),
    removePasskey: (userId, id) =>
      guarded(async () => ((await pool.query('DELETE FROM passkeys WHERE id = $1 AND user_id = $2', [id, userId])).rowCount ?? 0) > 0),
    saveLinkCode: (codeHash, userId, expiresAt) =>
      guarded(async () => {
        await pool.query('DELETE FROM link_codes WHERE expires_at < $1', [Date.now()]);
        await pool.query('INSERT INTO link_codes (code_hash, user_id, expires_at) VALUES ($1, $2, $3)', [codeHash, userId, expiresAt]);
      }),
    takeLinkCode: (codeHash, now) =>
      guarded(async () => {
        const { rows } = await pool.query<{ user_id: string }>(
          'DELETE FROM link_codes WHERE code_hash = $1 AND expires_at >= $2 RETURNING user_id',
          [codeHash, now],
        );
        return rows[0]?.user_id ?? null;
      }),
    renameUser: (id, name) =>
      guarded(async () => {
        await pool.query('UPDATE users SET name = $1 WHERE id = $2', [name, id]);
      }),

    appendMessage: (input) => {
      // Queued at once (a send before close() is committed by it); a reply first resolves its parent,
      // which exists before its reply is sent (the author's outbox sends in order).
      if (input.replyTo === undefined) return appends.submit({ ...input, replyToId: null, replyJson: null });
      const replyTo = input.replyTo;
      return guarded(async () => {
        const parent = await findTarget(pool, replyTo, input.author.id);
        if (!parent || parent.room !== input.room) throw new WriteRefused('not_found', 'the message replied to is not in this room');
        return { ...input, replyToId: parent.id, replyJson: JSON.stringify(previewOf(parent)) };
      }).then((resolved) => appends.submit(resolved));
    },
    applyChange: (input) => guarded(() => applyChange(pool, input, rules)),
    changesAfter: (room, afterRev, limit) =>
      guarded(async () => {
        const { rows } = await pool.query<ChangeRow>(
          `SELECT ${CHANGE_COLUMNS} FROM changes c JOIN users u ON u.id = c.author_id WHERE c.room = $1 AND c.rev > $2 ORDER BY c.rev LIMIT $3`,
          [room, afterRev, limit],
        );
        return rows.map(toChange);
      }),
    lastRevs: (rooms) =>
      guarded(async () => {
        const revs: Record<string, number> = Object.create(null);
        for (const room of rooms) revs[room] = 0;
        const { rows } = await pool.query<{ id: string; last_rev: number }>('SELECT id, last_rev FROM rooms WHERE id = ANY($1)', [rooms]);
        for (const row of rows) revs[row.id] = row.last_rev;
        return revs;
      }),
    markDeliveredMany: (marks) =>
      guarded(async () => {
        if (marks.length === 0) return [];
        // One statement for the batch; the batcher sends each (user, room) once, as ON CONFLICT requires.
        const { rows } = await pool.query<{ user_id: string; room: string; seq: number }>(
          `INSERT INTO delivered_cursors (user_id, room, seq)
           SELECT m.user_id, r.id, LEAST(m.seq, r.last_seq)
           FROM unnest($1::TEXT[], $2::TEXT[], $3::BIGINT[]) AS m(user_id, room, seq) JOIN rooms r ON r.id = m.room
           ON CONFLICT (user_id, room) DO UPDATE SET seq = GREATEST(delivered_cursors.seq, excluded.seq)
           RETURNING user_id, room, seq`,
          [marks.map((mark) => mark.userId), marks.map((mark) => mark.room), marks.map((mark) => mark.seq)],
        );
        const byKey = new Map(rows.map((row) => [`${row.user_id}\u0000${row.room}`, row.seq]));
        return marks.map((mark) => byKey.get(`${mark.userId}\u0000${mark.room}`) ?? 0);
      }),
    // One cursor is a batch of one: the SQL lives once, in markDeliveredMany.
    markDelivered: async (userId, room, seq) => (await store.markDeliveredMany([{ userId, room, seq }]))[0] ?? 0,
    receipts: (room) =>
      guarded(async () => {
        const { rows } = await pool.query<{ user_id: string; delivered: number; read: number }>(
          `SELECT mb.user_id, COALESCE(d.seq, 0) AS delivered, CASE WHEN u.read_receipts THEN COALESCE(r.seq, 0) ELSE 0 END AS read
           FROM members mb JOIN users u ON u.id = mb.user_id
           LEFT JOIN delivered_cursors d ON d.user_id = mb.user_id AND d.room = mb.room
           LEFT JOIN read_cursors r ON r.user_id = mb.user_id AND r.room = mb.room
           WHERE mb.room = $1 ORDER BY mb.user_id COLLATE "C"`,
          [room],
        );
        return rows.map((row) => ({ room, userId: row.user_id, deliveredSeq: Math.max(row.delivered, row.read), readSeq: row.read }));
      }),
    receiptCounts: (room, seq) =>
      guarded(async () => {
        const members =
          room === GENERAL_ROOM
            ? `FROM users u LEFT JOIN delivered_cursors d ON d.user_id = u.id AND d.room = $2
               LEFT JOIN read_cursors r ON r.user_id = u.id AND r.room = $2`
            : `FROM members mb JOIN users u ON u.id = mb.user_id
               LEFT JOIN delivered_cursors d ON d.user_id = mb.user_id AND d.room = mb.room
               LEFT JOIN read_cursors r ON r.user_id = mb.user_id AND r.room = mb.room WHERE mb.room = $2`;
        const { rows } = await pool.query<{ members: number; delivered: number; read: number }>(
          `SELECT COUNT(*)::INT AS members,
                  COUNT(*) FILTER (WHERE GREATEST(COALESCE(d.seq, 0), COALESCE(r.seq, 0)) >= $1)::INT AS delivered,
                  COUNT(*) FILTER (WHERE u.read_receipts AND COALESCE(r.seq, 0) >= $1)::INT AS read
           ${members}`,
          [seq, room],
        );
        return rows[0] ?? { members: 0, delivered: 0, read: 0 };
      }),
    setReadReceipts: (userId, share) =>
      guarded(async () => {
        await pool.query('UPDATE users SET read_receipts = $1 WHERE id = $2', [share, userId]);
      }),

    messagesAfter: (room, afterSeq, limit) =>
      guarded(async () => {
        const { rows } = await pool.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id
           WHERE m.room = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
          [room, afterSeq, limit],
        );
        return rows.map(toMessage);
      }),
    messagesBefore: (room, beforeSeq, limit) =>
      guarded(async () => {
        const { rows } = await pool.query<MessageRow>(
          `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id
           WHERE m.room = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`,
          [room, beforeSeq, limit],
        );
        return rows.reverse().map(toMessage);
      }),
    search: ({ terms, rooms, beforeId, limit, offset }) =>
      guarded(async () => {
        if (terms.length === 0 || rooms.length === 0) return [];
        // Ranked first (cheap, over the GIN index's matches), the headline only for the page.
        const { rows } = await pool.query<MessageRow & { snippet: string }>(
          `WITH q AS (SELECT websearch_to_tsquery('simple', $1) AS query),
                hits AS (
                  SELECT s.id, ts_rank_cd(s.search, q.query) AS score FROM message_search s, q
                  WHERE s.search @@ q.query AND s.room = ANY($2) AND s.id < $3
                  ORDER BY score DESC, s.id DESC LIMIT $4 OFFSET $5
                )
           SELECT ${MESSAGE_COLUMNS},
                  ts_headline('simple', m.content, q.query, 'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || ', MaxWords=24, MinWords=8, MaxFragments=1, FragmentDelimiter=…') AS snippet
           FROM hits h JOIN messages m ON m.id = h.id JOIN users u ON u.id = m.author_id, q
           ORDER BY h.score DESC, m.id DESC`,
          // Each word quoted: 'or' and '-' are words here, not websearch operators.
          [terms.map((term) => `"${term}"`).join(' '), rooms, beforeId ?? Number.MAX_SAFE_INTEGER, limit, offset],
        );
        return rows.map((row) => ({ message: toMessage(row), snippet: row.snippet }));
      }),
    encodedMessagesAfter: async (room, afterSeq, limit) => encodePage(await store.messagesAfter(room, afterSeq, limit)),
    encodedRowsAfter: async (room, afterSeq, limit) => encodeRowsPage(room, await store.messagesAfter(room, afterSeq, limit)),
    encodedPackedAfter: async (room, afterSeq, limit) => encodePackedPage(room, await store.messagesAfter(room, afterSeq, limit)),
    encodedMessagesBefore: async (room, beforeSeq, limit) => encodePage(await store.messagesBefore(room, beforeSeq, limit)),

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
        const { rows } = await pool.query<{ id: string; last_seq: number; read_seq: number; last_rev: number }>(
          `SELECT r.id, r.last_seq, COALESCE(c.seq, 0) AS read_seq, r.last_rev
           FROM rooms r LEFT JOIN read_cursors c ON c.room = r.id AND c.user_id = $1
           WHERE r.id = '${GENERAL_ROOM}' OR r.id IN (SELECT room FROM members WHERE user_id = $1)
           ORDER BY r.id <> '${GENERAL_ROOM}', r.id COLLATE "C"`,
          [userId],
        );
        return rows.map((row) => ({ id: row.id, lastSeq: row.last_seq, readSeq: row.read_seq, lastRev: row.last_rev }));
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
      await searchIndex.close();
      await pool.end();
    },
  };
  return store;
}

/** Takes `?schema=` and `?pool=` out of the URL (pg would not understand them) and validates them. */
export function ourParameters(
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
