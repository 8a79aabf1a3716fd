/**
 * Store on SQLite (better-sqlite3): WAL, durable commits, and group commit of
 * sends (sqlite-append.ts). Several worker processes may open the same file:
 * every write runs in BEGIN IMMEDIATE, so seq allocation is serialized.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GENERAL_ROOM } from '../../shared/limits';
import type { RoomId, User } from '../../shared/protocol';
import { CHANGE_COLUMNS, MESSAGE_COLUMNS, toChange, toUser, tupleToMessage, type ChangeRow, type MessageTuple } from './message-row';
import { LOCK_WAIT_MS, openSqliteAppender } from './sqlite-append';
import { migrations } from './sqlite-schema';
import { PAGE_COLUMNS, PAGE_USERS_JSON, pageTexts, SEALED_PAGE_SIZE, type PageTuple } from './sqlite-sealed-pages';
import { pagePayload } from '../../shared/message-rows';
import { sqliteAttachmentRecords } from './sqlite-attachments';
import { PASSKEY_COLUMNS, toChallenge, toPasskey, type ChallengeRow, type PasskeyRow } from './identity-rows';
import { toSession, type SessionRow } from './session-row';
import {
  SESSION_TOUCH_MS,
  StoreUnavailableError,
  type AppendResult,
  type Appender,
  type ChangeResult,
  type ChangeRules,
  type ConnectionDurability,
  type DeliveredMark,
  type DeliveredResult,
  type EncodedPage,
  type Store,
} from './store';

/** One row as the JSON of its protocol Message, keys in the order JSON.stringify would write them. */
const BASE_JSON = `json_object('id', m.id, 'room', m.room, 'seq', m.seq, 'author',
  CASE WHEN u.handle IS NULL THEN json_object('id', m.author_id, 'name', u.name)
       ELSE json_object('id', m.author_id, 'name', u.name, 'handle', u.handle) END,
  'clientOffset', m.client_offset, 'content', m.content, 'ts', m.ts)`;
/** The optional parts only when present: a merge patch drops the keys whose value is null. */
const MESSAGE_JSON = `CASE WHEN m.reply_json IS NULL AND m.edited_at IS NULL AND m.deleted = 0 AND m.reactions IS NULL AND m.attachments IS NULL
  THEN ${BASE_JSON}
  ELSE json_patch(${BASE_JSON}, json_object('replyTo', json(m.reply_json), 'editedAt', m.edited_at,
    'deleted', CASE WHEN m.deleted THEN json('true') END, 'reactions', json(m.reactions), 'attachments', json(m.attachments))) END`;

type UserRow = { id: string; name: string; handle: string | null };
/** A page of (seq, JSON) rows, in seq order, as the JSON array it is sent as. */
function encodedRows(rows: Array<[seq: number, json: string]>): EncodedPage {
  return { json: `[${rows.map((row) => row[1]).join(',')}]`, count: rows.length, lastSeq: rows.at(-1)?.[0] ?? 0 };
}
const fromUserRow = (row: UserRow | undefined): User | null => (row ? toUser(row.id, row.name, row.handle) : null);

export type SqliteSync = 'FULL' | 'NORMAL';
export type SqliteOptions = {
  /** What the writer enforces about edits and reactions. */
  rules?: ChangeRules;
  synchronous?: SqliteSync;
  /** Where appends go instead of this store's own group commit (a cluster worker's: the primary). */
  appender?: Appender;
};

export function openSqliteStore(path: string, options: SqliteOptions = {}): Store {
  const synchronous = options.synchronous ?? 'FULL';
  // Other writes are rare; for them waiting on another worker's lock is cheaper than failing.
  const db = connect(path, synchronous, LOCK_WAIT_MS);
  migrate(db);
  // An in-memory database exists only on its own connection.
  const appendDb = options.appender || path === ':memory:' ? null : connect(path, synchronous, 0);
  const appender = options.appender ?? openSqliteAppender(appendDb ?? db, options.rules);

  const q = {
    sessionByTokenHash: db.prepare<[string], SessionRow & { name: string; handle: string | null }>(
      `SELECT s.id, s.user_id, s.device, s.created_at, s.last_seen_at, u.name, u.handle
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`,
    ),
    insertSession: db.prepare('INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)'),
    touchSession: db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE id = ? AND user_id = ?'),
    sessionsOf: db.prepare<[string], SessionRow>(
      'SELECT id, user_id, device, created_at, last_seen_at FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id',
    ),
    userById: db.prepare<[string], UserRow>('SELECT id, name, handle FROM users WHERE id = ?'),
    userByHandle: db.prepare<[string], UserRow>('SELECT id, name, handle FROM users WHERE handle = ?'),
    setHandle: db.prepare('UPDATE users SET handle = ? WHERE id = ?'),
    sweepChallenges: db.prepare('DELETE FROM auth_challenges WHERE expires_at < ?'),
    insertChallenge: db.prepare('INSERT INTO auth_challenges (challenge, purpose, user_id, expires_at) VALUES (?, ?, ?, ?)'),
    takeChallenge: db.prepare<[string, string, number], ChallengeRow>(
      'DELETE FROM auth_challenges WHERE challenge = ? AND purpose = ? AND expires_at >= ? RETURNING challenge, purpose, user_id, expires_at',
    ),
    insertPasskey: db.prepare(
      'INSERT INTO passkeys (id, user_id, public_key, counter, transports, device, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    passkeysOf: db.prepare<[string], PasskeyRow>(`SELECT ${PASSKEY_COLUMNS} FROM passkeys WHERE user_id = ? ORDER BY created_at, id`),
    passkeyById: db.prepare<[string], PasskeyRow>(`SELECT ${PASSKEY_COLUMNS} FROM passkeys WHERE id = ?`),
    passkeyUsed: db.prepare('UPDATE passkeys SET counter = ?, last_used_at = ? WHERE id = ?'),
    deletePasskey: db.prepare('DELETE FROM passkeys WHERE id = ? AND user_id = ?'),
    sweepLinkCodes: db.prepare('DELETE FROM link_codes WHERE expires_at < ?'),
    insertLinkCode: db.prepare('INSERT INTO link_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)'),
    takeLinkCode: db.prepare<[string, number], { user_id: string }>(
      'DELETE FROM link_codes WHERE code_hash = ? AND expires_at >= ? RETURNING user_id',
    ),
    insertUser: db.prepare('INSERT INTO users (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)'),
    renameUser: db.prepare('UPDATE users SET name = ? WHERE id = ?'),
    messagesAfter: db
      .prepare<[string, number, number], MessageTuple>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id
         WHERE m.room = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
      )
      // Arrays, not row objects: a page is hundreds of rows, and this cuts the cost per row by 40%.
      .raw(true),
    // Newest first through the (room, seq) index, so any depth costs the same; reversed to seq order.
    messagesBefore: db
      .prepare<[string, number, number], MessageTuple>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id
         WHERE m.room = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
      )
      .raw(true),
    // Best match first (bm25), newest first among equals; the snippet marks matches with private-use characters.
    search: db
      .prepare<[string, string, number, number, number], [...MessageTuple, snippet: string]>(
        `SELECT ${MESSAGE_COLUMNS}, snippet(messages_fts, 0, char(57344), char(57345), '…', 16)
         FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN users u ON u.id = m.author_id
         WHERE messages_fts MATCH ? AND m.room IN (SELECT value FROM json_each(?)) AND m.id < ?
         ORDER BY bm25(messages_fts), m.id DESC LIMIT ? OFFSET ?`,
      )
      .raw(true),
    // SQLite writes each row's JSON itself: as fast as reading the columns, and nothing left to encode.
    encodedMessagesAfter: db
      .prepare<[string, number, number], [seq: number, json: string]>(
        `SELECT m.seq, ${MESSAGE_JSON} FROM messages m JOIN users u ON u.id = m.author_id
         WHERE m.room = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
      )
      .raw(true),
    // The same page as `message:rows` or `message:packed` rows (sqlite-sealed-pages.ts), where no sealed page holds it.
    pageRowsAfter: db
      .prepare<[string, number, number], PageTuple>(
        `SELECT ${PAGE_COLUMNS} FROM messages m WHERE m.room = ? AND m.seq > ? ORDER BY m.seq LIMIT ?`,
      )
      .raw(true),
    // Each format's text alone: a page's other copy is not read (and not made a string) for nothing.
    sealedRows: db.prepare<[string, number], { authors_json: string; json: string }>(
      'SELECT authors_json, rows_json AS json FROM sealed_pages WHERE room = ? AND first_seq = ?',
    ),
    sealedPacked: db.prepare<[string, number], { authors_json: string; json: string }>(
      'SELECT authors_json, packed_json AS json FROM sealed_pages WHERE room = ? AND first_seq = ? AND packed_json IS NOT NULL',
    ),
    pageUsers: db.prepare<[string], string>(PAGE_USERS_JSON).pluck(),
    // Newest first through the (room, seq) index like messagesBefore, each row's JSON written by SQLite.
    encodedMessagesBefore: db
      .prepare<[string, number, number], [seq: number, json: string]>(
        `SELECT m.seq, ${MESSAGE_JSON} FROM messages m JOIN users u ON u.id = m.author_id
         WHERE m.room = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
      )
      .raw(true),
    createRoom: db.prepare('INSERT INTO rooms (id, kind, last_seq, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (id) DO NOTHING'),
    addMember: db.prepare('INSERT INTO members (user_id, room, joined_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
    removeMember: db.prepare('DELETE FROM members WHERE user_id = ? AND room = ?'),
    isMember: db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM members WHERE user_id = ? AND room = ?'),
    lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM rooms WHERE id = ?'),
    roomsOf: db.prepare<[string, string], { id: string; last_seq: number; read_seq: number; last_rev: number }>(
      `SELECT r.id, r.last_seq, COALESCE(c.seq, 0) AS read_seq, r.last_rev
       FROM rooms r LEFT JOIN read_cursors c ON c.room = r.id AND c.user_id = ?
       WHERE r.id = 'general' OR r.id IN (SELECT room FROM members WHERE user_id = ?)
       ORDER BY r.id <> 'general', r.id`,
    ),
    markRead: db.prepare<[string, number, string], { seq: number }>(
      `INSERT INTO read_cursors (user_id, room, seq)
       SELECT ?, r.id, MIN(?, r.last_seq) FROM rooms r WHERE r.id = ?
       ON CONFLICT (user_id, room) DO UPDATE SET seq = MAX(seq, excluded.seq)
       RETURNING seq`,
    ),
    changesAfter: db.prepare<[string, number, number], ChangeRow>(
      `SELECT ${CHANGE_COLUMNS} FROM changes c JOIN users u ON u.id = c.author_id WHERE c.room = ? AND c.rev > ? ORDER BY c.rev LIMIT ?`,
    ),
    lastRev: db.prepare<[string], { last_rev: number }>('SELECT last_rev FROM rooms WHERE id = ?'),
    receipts: db.prepare<[string], { user_id: string; delivered: number; read: number }>(
      `SELECT mb.user_id, COALESCE(d.seq, 0) AS delivered, CASE WHEN u.read_receipts THEN COALESCE(r.seq, 0) ELSE 0 END AS read
       FROM members mb JOIN users u ON u.id = mb.user_id
       LEFT JOIN delivered_cursors d ON d.user_id = mb.user_id AND d.room = mb.room
       LEFT JOIN read_cursors r ON r.user_id = mb.user_id AND r.room = mb.room
       WHERE mb.room = ? ORDER BY mb.user_id`,
    ),
    roomCounts: db.prepare<[number, number, string], { members: number; delivered: number | null; read: number | null }>(
      `SELECT COUNT(*) AS members,
              SUM(MAX(COALESCE(d.seq, 0), COALESCE(r.seq, 0)) >= ?) AS delivered,
              SUM(u.read_receipts AND COALESCE(r.seq, 0) >= ?) AS read
       FROM members mb JOIN users u ON u.id = mb.user_id
       LEFT JOIN delivered_cursors d ON d.user_id = mb.user_id AND d.room = mb.room
       LEFT JOIN read_cursors r ON r.user_id = mb.user_id AND r.room = mb.room
       WHERE mb.room = ?`,
    ),
    generalCounts: db.prepare<[number, number], { members: number; delivered: number | null; read: number | null }>(
      `SELECT COUNT(*) AS members,
              SUM(MAX(COALESCE(d.seq, 0), COALESCE(r.seq, 0)) >= ?) AS delivered,
              SUM(u.read_receipts AND COALESCE(r.seq, 0) >= ?) AS read
       FROM users u
       LEFT JOIN delivered_cursors d ON d.user_id = u.id AND d.room = 'general'
       LEFT JOIN read_cursors r ON r.user_id = u.id AND r.room = 'general'`,
    ),
    setReadReceipts: db.prepare('UPDATE users SET read_receipts = ? WHERE id = ?'),
    health: db.prepare(
      'INSERT INTO health (pid, checked_at) VALUES (?, ?) ON CONFLICT (pid) DO UPDATE SET checked_at = excluded.checked_at',
    ),
  };

  let closed = false;

  // Through the writer, in its group commit: receipts come from every client as messages arrive, and
  // a transaction of their own took SQLite's write lock from the writer (and, waiting for it, slept
  // with this process's event loop blocked) several times a second under load.
  const markDeliveredMany = async (marks: ReadonlyArray<DeliveredMark>): Promise<number[]> =>
    ((await appender.write({ kind: 'delivered', marks })) as DeliveredResult).stored;

  /**
   * A `message:rows` or `message:packed` page: as kept sealed when it is one whole sealed page
   * (sqlite-sealed-pages.ts), otherwise built from its messages' rows.
   */
  function pageAfter(format: 'rows' | 'packed', room: RoomId, afterSeq: number, limit: number): EncodedPage {
    if (limit === SEALED_PAGE_SIZE && afterSeq % SEALED_PAGE_SIZE === 0) {
      const sealed = (format === 'rows' ? q.sealedRows : q.sealedPacked).get(room, afterSeq + 1);
      if (sealed) {
        const json = pagePayload(room, q.pageUsers.get(sealed.authors_json) ?? '[]', sealed.json);
        return { json, count: SEALED_PAGE_SIZE, lastSeq: afterSeq + SEALED_PAGE_SIZE };
      }
    }
    const rows = q.pageRowsAfter.all(room, afterSeq, limit);
    const texts = pageTexts(rows);
    const json = pagePayload(room, q.pageUsers.get(texts.authorsJson) ?? '[]', format === 'rows' ? texts.rowsJson : texts.packedJson);
    return { json, count: rows.length, lastSeq: rows.at(-1)?.[1] ?? 0 };
  }

  /** Runs a synchronous query, turning driver failures into `unavailable`. */
  function guarded<T>(work: () => T): Promise<T> {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(new StoreUnavailableError((error as Error).message));
    }
  }

  return {
    ...sqliteAttachmentRecords(db, guarded),
    createUser: (user, session) =>
      guarded(() =>
        db
          .transaction(() => {
            const now = Date.now();
            q.insertUser.run(user.id, user.name, session.tokenHash, now);
            q.insertSession.run(session.id, user.id, session.tokenHash, session.device, now, now);
          })
          .immediate(),
      ),
    createSession: (userId, session) =>
      guarded(() => {
        const now = Date.now();
        q.insertSession.run(session.id, userId, session.tokenHash, session.device, now, now);
      }),
    authenticate: (tokenHash, now, idleSince) =>
      guarded(() => {
        const row = q.sessionByTokenHash.get(tokenHash);
        if (!row) return null;
        if (row.last_seen_at < idleSince) {
          q.deleteSession.run(row.id, row.user_id);
          return null;
        }
        if (now - row.last_seen_at >= SESSION_TOUCH_MS) {
          q.touchSession.run(now, row.id);
          row.last_seen_at = now;
        }
        return { user: toUser(row.user_id, row.name, row.handle), session: toSession(row) };
      }),
    sessionsOf: (userId) => guarded(() => q.sessionsOf.all(userId).map(toSession)),
    revokeSession: (userId, sessionId) => guarded(() => q.deleteSession.run(sessionId, userId).changes > 0),
    userById: (id) => guarded(() => fromUserRow(q.userById.get(id))),
    userByHandle: (handle) => guarded(() => fromUserRow(q.userByHandle.get(handle))),
    claimHandle: (userId, handle) =>
      guarded(() => {
        try {
          q.setHandle.run(handle, userId);
          return true;
        } catch (error) {
          // The unique index decides races between workers: exactly one claim wins.
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
          throw error;
        }
      }),

    saveChallenge: (record) =>
      guarded(() => {
        q.sweepChallenges.run(Date.now());
        q.insertChallenge.run(record.challenge, record.purpose, record.userId, record.expiresAt);
      }),
    takeChallenge: (challenge, purpose, now) =>
      guarded(() => {
        const row = q.takeChallenge.get(challenge, purpose, now);
        return row ? toChallenge(row) : null;
      }),
    addPasskey: (passkey) =>
      guarded(
        () =>
          void q.insertPasskey.run(
            passkey.id,
            passkey.userId,
            Buffer.from(passkey.publicKey),
            passkey.counter,
            passkey.transports.join(','),
            passkey.device,
            passkey.createdAt,
          ),
      ),
    passkeysOf: (userId) => guarded(() => q.passkeysOf.all(userId).map(toPasskey)),
    passkeyById: (id) =>
      guarded(() => {
        const row = q.passkeyById.get(id);
        return row ? toPasskey(row) : null;
      }),
    passkeyUsed: (id, counter, now) => guarded(() => void q.passkeyUsed.run(counter, now, id)),
    removePasskey: (userId, id) => guarded(() => q.deletePasskey.run(id, userId).changes > 0),
    saveLinkCode: (codeHash, userId, expiresAt) =>
      guarded(() => {
        q.sweepLinkCodes.run(Date.now());
        q.insertLinkCode.run(codeHash, userId, expiresAt);
      }),
    takeLinkCode: (codeHash, now) => guarded(() => q.takeLinkCode.get(codeHash, now)?.user_id ?? null),
    renameUser: (id, name) => guarded(() => void q.renameUser.run(name, id)),

    appendMessage: async (input) => (await appender.write({ kind: 'send', input })) as AppendResult,
    applyChange: async (input) => (await appender.write({ kind: 'change', input })) as ChangeResult,
    changesAfter: (room, afterRev, limit) => guarded(() => q.changesAfter.all(room, afterRev, limit).map(toChange)),
    lastRevs: (rooms) =>
      guarded(() => {
        const revs: Record<RoomId, number> = Object.create(null);
        for (const room of rooms) revs[room] = q.lastRev.get(room)?.last_rev ?? 0;
        return revs;
      }),
    markDelivered: async (userId, room, seq) => (await markDeliveredMany([{ userId, room, seq }]))[0] ?? 0,
    markDeliveredMany,
    receipts: (room) =>
      guarded(() =>
        q.receipts
          .all(room)
          .map((row) => ({ room, userId: row.user_id, deliveredSeq: Math.max(row.delivered, row.read), readSeq: row.read })),
      ),
    receiptCounts: (room, seq) =>
      guarded(() => {
        const row = (room === GENERAL_ROOM ? q.generalCounts.get(seq, seq) : q.roomCounts.get(seq, seq, room)) ?? {
          members: 0,
          delivered: 0,
          read: 0,
        };
        return { members: row.members, delivered: row.delivered ?? 0, read: row.read ?? 0 };
      }),
    setReadReceipts: (userId, share) => guarded(() => void q.setReadReceipts.run(Number(share), userId)),

    messagesAfter: (room, afterSeq, limit) => guarded(() => q.messagesAfter.all(room, afterSeq, limit).map(tupleToMessage)),
    messagesBefore: (room, beforeSeq, limit) => guarded(() => q.messagesBefore.all(room, beforeSeq, limit).reverse().map(tupleToMessage)),
    encodedMessagesAfter: (room, afterSeq, limit) => guarded(() => encodedRows(q.encodedMessagesAfter.all(room, afterSeq, limit))),
    encodedRowsAfter: (room, afterSeq, limit) => guarded(() => pageAfter('rows', room, afterSeq, limit)),
    encodedPackedAfter: (room, afterSeq, limit) => guarded(() => pageAfter('packed', room, afterSeq, limit)),
    encodedMessagesBefore: (room, beforeSeq, limit) =>
      guarded(() => encodedRows(q.encodedMessagesBefore.all(room, beforeSeq, limit).reverse())),

    search: ({ terms, rooms, beforeId, limit, offset }) =>
      guarded(() => {
        if (terms.length === 0 || rooms.length === 0) return [];
        // Each term quoted: the words are matched as words, whatever FTS5 syntax they resemble.
        const match = terms.map((term) => `"${term.replace(/"/g, '""')}"`).join(' ');
        const rows = q.search.all(match, JSON.stringify(rooms), beforeId ?? Number.MAX_SAFE_INTEGER, limit, offset);
        return rows.map((row) => ({ message: tupleToMessage(row.slice(0, 14) as MessageTuple), snippet: String(row[14]) }));
      }),

    joinRoom: (userId, room, kind) =>
      guarded(() =>
        db
          .transaction(() => {
            const now = Date.now();
            q.createRoom.run(room, kind, now);
            if (room !== GENERAL_ROOM) q.addMember.run(userId, room, now);
            return q.lastSeq.get(room)?.last_seq ?? 0;
          })
          .immediate(),
      ),
    leaveRoom: (userId, room) => guarded(() => q.removeMember.run(userId, room).changes > 0),
    isMember: (userId, room) => guarded(() => room === GENERAL_ROOM || q.isMember.get(userId, room) !== undefined),
    roomsOf: (userId) =>
      guarded(() =>
        q.roomsOf
          .all(userId, userId)
          .map((row) => ({ id: row.id as RoomId, lastSeq: row.last_seq, readSeq: row.read_seq, lastRev: row.last_rev })),
      ),
    markRead: (userId, room, seq) => guarded(() => q.markRead.get(userId, seq, room)?.seq ?? 0),

    durability: () => [readDurability(db, 'main'), ...(appendDb ? [readDurability(appendDb, 'append')] : [])],

    checkHealth: () => guarded(() => void q.health.run(process.pid, Date.now())),

    async close() {
      if (closed) return;
      closed = true;
      await appender.close();
      appendDb?.close();
      db.close();
    },
  };
}

/**
 * The group commit alone, for the process that commits for a whole cluster (cluster.ts):
 * migrates the file first, since it is opened before any worker.
 */
export function openSqliteAppendOnly(
  path: string,
  synchronous: SqliteSync,
  rules?: ChangeRules,
): Appender & { durability: ConnectionDurability } {
  const db = connect(path, synchronous, LOCK_WAIT_MS);
  migrate(db);
  db.pragma('busy_timeout = 0');
  const appender = openSqliteAppender(db, rules);
  return {
    durability: readDurability(db, 'append'),
    write: appender.write,
    async close() {
      await appender.close();
      db.close();
    },
  };
}

/** PRAGMA synchronous answers a number; these are SQLite's names for it. */
const SYNCHRONOUS_NAMES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/** Asks SQLite what this connection really does (a build default or a typo in a pragma would show here). */
export function readDurability(db: Database.Database, connection: string): ConnectionDurability {
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  const journalMode = db.pragma('journal_mode', { simple: true }) as string;
  return { connection, journalMode: journalMode.toUpperCase(), synchronous: SYNCHRONOUS_NAMES[synchronous] ?? String(synchronous) };
}

function connect(path: string, synchronous: SqliteSync, busyTimeoutMs: number): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('foreign_keys = ON');
  return db;
}

function migrate(db: Database.Database): void {
  // IMMEDIATE takes the write lock first, so two workers starting together migrate once.
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    for (let step = current; step < migrations.length; step++) db.exec(migrations[step]);
    if (current < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
