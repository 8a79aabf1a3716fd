/**
 * PostgreSQL schema as an ordered list of migrations and the runner that applies
 * them once, even when several instances start together. Append new steps,
 * never edit one that has shipped; `schema_version` records how many ran.
 */
import type { PoolClient } from 'pg';

export const migrations: string[] = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE rooms (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('public', 'dm')),
     last_seq BIGINT NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL
   );
   -- general is everyone's room, so its membership is implicit and not stored here.
   CREATE TABLE members (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL REFERENCES rooms(id),
     joined_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, room)
   );
   CREATE TABLE messages (
     id BIGINT PRIMARY KEY,
     room TEXT NOT NULL REFERENCES rooms(id),
     seq BIGINT NOT NULL,
     author_id TEXT NOT NULL REFERENCES users(id),
     client_offset TEXT NOT NULL,
     content TEXT NOT NULL,
     ts BIGINT NOT NULL,
     UNIQUE (room, seq),
     UNIQUE (author_id, client_offset)
   );
   -- The single row every message-writing transaction locks first: it hands out ids
   -- and, by serializing those transactions, makes id order equal commit order.
   CREATE TABLE message_ids (
     singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
     last_id BIGINT NOT NULL
   );
   INSERT INTO message_ids (last_id) VALUES (0);
   CREATE TABLE health (instance TEXT PRIMARY KEY, checked_at BIGINT NOT NULL);
   INSERT INTO rooms (id, kind, last_seq, created_at)
     VALUES ('general', 'public', 0, (extract(epoch FROM now()) * 1000)::BIGINT);`,

  // One group-commit batch in one round trip, so the writer lock (see postgres.ts) is held
  // for the work and the commit only, not for client round trips. Inputs are parallel arrays;
  // the answer has one row per distinct key: stored earlier (created false) or inserted now.
  `CREATE FUNCTION append_messages(p_authors TEXT[], p_offsets TEXT[], p_rooms TEXT[], p_contents TEXT[], p_ts BIGINT)
   RETURNS TABLE (id BIGINT, room TEXT, seq BIGINT, author_id TEXT, author_name TEXT, client_offset TEXT, content TEXT, ts BIGINT, created BOOLEAN)
   LANGUAGE plpgsql VOLATILE AS $fn$
   #variable_conflict use_column
   DECLARE
     first_id BIGINT;
   BEGIN
     -- The writer lock, held until COMMIT; one id reserved per input (duplicates leave theirs unused).
     UPDATE message_ids SET last_id = last_id + cardinality(p_authors)
       RETURNING last_id - cardinality(p_authors) + 1 INTO first_id;
     -- A new statement takes a new snapshot: every key committed by any instance before the lock is seen.
     RETURN QUERY
     WITH input AS (
       SELECT u.ord, u.author_id, u.client_offset, u.room, u.content
       FROM unnest(p_authors, p_offsets, p_rooms, p_contents) WITH ORDINALITY AS u(author_id, client_offset, room, content, ord)
     ),
     stored AS (
       SELECT m.id, m.room, m.seq, m.author_id, m.client_offset, m.content, m.ts
       FROM messages m JOIN (SELECT DISTINCT i.author_id, i.client_offset FROM input i) k
         ON m.author_id = k.author_id AND m.client_offset = k.client_offset
     ),
     fresh AS (
       SELECT DISTINCT ON (i.author_id, i.client_offset) i.ord, i.author_id, i.client_offset, i.room, i.content
       FROM input i
       WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.author_id = i.author_id AND s.client_offset = i.client_offset)
       ORDER BY i.author_id, i.client_offset, i.ord
     ),
     counts AS (SELECT f.room, count(*) AS n FROM fresh f GROUP BY f.room),
     bumped AS (
       UPDATE rooms r SET last_seq = r.last_seq + c.n FROM counts c WHERE r.id = c.room
       RETURNING r.id, r.last_seq - c.n AS seq_before
     ),
     numbered AS (
       SELECT first_id + f.ord - 1 AS id, f.room, b.seq_before + row_number() OVER (PARTITION BY f.room ORDER BY f.ord) AS seq,
              f.author_id, f.client_offset, f.content
       FROM fresh f JOIN bumped b ON b.id = f.room
     ),
     inserted AS (
       INSERT INTO messages AS m (id, room, seq, author_id, client_offset, content, ts)
       SELECT n.id, n.room, n.seq, n.author_id, n.client_offset, n.content, p_ts FROM numbered n
       RETURNING m.id, m.room, m.seq, m.author_id, m.client_offset, m.content, m.ts
     )
     SELECT x.id, x.room, x.seq, x.author_id, u.name, x.client_offset, x.content, x.ts, x.created
     FROM (SELECT s.*, FALSE AS created FROM stored s UNION ALL SELECT i.*, TRUE AS created FROM inserted i) x
     JOIN users u ON u.id = x.author_id;
   END
   $fn$;`,

  // Read cursors, for unread counts; general has rows here too, so no foreign key to members.
  `CREATE TABLE read_cursors (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL REFERENCES rooms(id),
     seq BIGINT NOT NULL,
     PRIMARY KEY (user_id, room)
   );`,

  // A session per signed-in device (see sqlite-schema.ts; the same shape in both stores).
  `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     token_hash TEXT NOT NULL UNIQUE,
     device TEXT NOT NULL DEFAULT '',
     created_at BIGINT NOT NULL,
     last_seen_at BIGINT NOT NULL
   );
   CREATE INDEX sessions_by_user ON sessions (user_id);
   INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at)
     SELECT 'v1-' || id, id, token_hash, '', created_at, (extract(epoch FROM now()) * 1000)::BIGINT FROM users;`,

  // Identity across devices (see sqlite-schema.ts; the same shape in both stores).
  `ALTER TABLE users ADD COLUMN handle TEXT;
   CREATE UNIQUE INDEX users_by_handle ON users (handle);
   CREATE TABLE passkeys (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     public_key BYTEA NOT NULL,
     counter BIGINT NOT NULL,
     transports TEXT NOT NULL DEFAULT '',
     device TEXT NOT NULL DEFAULT '',
     created_at BIGINT NOT NULL,
     last_used_at BIGINT
   );
   CREATE INDEX passkeys_by_user ON passkeys (user_id);
   CREATE TABLE auth_challenges (
     challenge TEXT PRIMARY KEY,
     purpose TEXT NOT NULL CHECK (purpose IN ('register', 'login')),
     user_id TEXT,
     expires_at BIGINT NOT NULL
   );
   CREATE TABLE link_codes (
     code_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     expires_at BIGINT NOT NULL
   );`,

  // Search: each message's words as a tsvector (the 'simple' configuration: no stemming, any
  // language, as SQLite's unicode61), kept by PostgreSQL itself, with a GIN index.
  `ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;
   CREATE INDEX messages_search ON messages USING GIN (search);`,

  // Messages people can change (see sqlite-schema.ts; the same shape in both stores), and
  // append_messages again, now also storing a reply's parent (resolved before the call).
  `ALTER TABLE messages ADD COLUMN reply_to BIGINT;
   ALTER TABLE messages ADD COLUMN reply_json TEXT;
   ALTER TABLE messages ADD COLUMN edited_at BIGINT;
   ALTER TABLE messages ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
   ALTER TABLE messages ADD COLUMN reactions TEXT;
   CREATE INDEX messages_by_parent ON messages (reply_to) WHERE reply_to IS NOT NULL;
   ALTER TABLE rooms ADD COLUMN last_rev BIGINT NOT NULL DEFAULT 0;
   CREATE TABLE changes (
     id BIGSERIAL PRIMARY KEY,
     room TEXT NOT NULL REFERENCES rooms(id),
     rev BIGINT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete', 'react')),
     target BIGINT NOT NULL REFERENCES messages(id),
     target_seq BIGINT NOT NULL,
     author_id TEXT NOT NULL REFERENCES users(id),
     client_offset TEXT NOT NULL,
     ts BIGINT NOT NULL,
     content TEXT,
     emoji TEXT,
     on_flag BOOLEAN,
     UNIQUE (room, rev),
     UNIQUE (author_id, client_offset)
   );
   CREATE INDEX changes_by_target ON changes (target);
   CREATE TABLE reactions (
     message_id BIGINT NOT NULL REFERENCES messages(id),
     user_id TEXT NOT NULL REFERENCES users(id),
     emoji TEXT NOT NULL,
     ts BIGINT NOT NULL,
     PRIMARY KEY (message_id, emoji, user_id)
   );
   CREATE TABLE delivered_cursors (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL REFERENCES rooms(id),
     seq BIGINT NOT NULL,
     PRIMARY KEY (user_id, room)
   );
   ALTER TABLE users ADD COLUMN read_receipts BOOLEAN NOT NULL DEFAULT TRUE;
   DROP FUNCTION append_messages(TEXT[], TEXT[], TEXT[], TEXT[], BIGINT);
   CREATE FUNCTION append_messages(p_authors TEXT[], p_offsets TEXT[], p_rooms TEXT[], p_contents TEXT[], p_reply_to BIGINT[], p_reply_json TEXT[], p_ts BIGINT)
   RETURNS TABLE (id BIGINT, room TEXT, seq BIGINT, author_id TEXT, author_name TEXT, client_offset TEXT, content TEXT, ts BIGINT,
                  reply_json TEXT, edited_at BIGINT, deleted BOOLEAN, reactions TEXT, created BOOLEAN)
   LANGUAGE plpgsql VOLATILE AS $fn$
   #variable_conflict use_column
   DECLARE
     first_id BIGINT;
   BEGIN
     UPDATE message_ids SET last_id = last_id + cardinality(p_authors)
       RETURNING last_id - cardinality(p_authors) + 1 INTO first_id;
     RETURN QUERY
     WITH input AS (
       SELECT u.ord, u.author_id, u.client_offset, u.room, u.content, u.reply_to, u.reply_json
       FROM unnest(p_authors, p_offsets, p_rooms, p_contents, p_reply_to, p_reply_json)
         WITH ORDINALITY AS u(author_id, client_offset, room, content, reply_to, reply_json, ord)
     ),
     stored AS (
       SELECT m.id, m.room, m.seq, m.author_id, m.client_offset, m.content, m.ts, m.reply_json, m.edited_at, m.deleted, m.reactions
       FROM messages m JOIN (SELECT DISTINCT i.author_id, i.client_offset FROM input i) k
         ON m.author_id = k.author_id AND m.client_offset = k.client_offset
     ),
     fresh AS (
       SELECT DISTINCT ON (i.author_id, i.client_offset) i.ord, i.author_id, i.client_offset, i.room, i.content, i.reply_to, i.reply_json
       FROM input i
       WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.author_id = i.author_id AND s.client_offset = i.client_offset)
       ORDER BY i.author_id, i.client_offset, i.ord
     ),
     counts AS (SELECT f.room, count(*) AS n FROM fresh f GROUP BY f.room),
     bumped AS (
       UPDATE rooms r SET last_seq = r.last_seq + c.n FROM counts c WHERE r.id = c.room
       RETURNING r.id, r.last_seq - c.n AS seq_before
     ),
     numbered AS (
       SELECT first_id + f.ord - 1 AS id, f.room, b.seq_before + row_number() OVER (PARTITION BY f.room ORDER BY f.ord) AS seq,
              f.author_id, f.client_offset, f.content, f.reply_to, f.reply_json
       FROM fresh f JOIN bumped b ON b.id = f.room
     ),
     inserted AS (
       INSERT INTO messages AS m (id, room, seq, author_id, client_offset, content, ts, reply_to, reply_json)
       SELECT n.id, n.room, n.seq, n.author_id, n.client_offset, n.content, p_ts, n.reply_to, n.reply_json FROM numbered n
       RETURNING m.id, m.room, m.seq, m.author_id, m.client_offset, m.content, m.ts, m.reply_json, m.edited_at, m.deleted, m.reactions
     )
     SELECT x.id, x.room, x.seq, x.author_id, u.name, x.client_offset, x.content, x.ts, x.reply_json, x.edited_at, x.deleted, x.reactions, x.created
     FROM (SELECT s.*, FALSE AS created FROM stored s UNION ALL SELECT i.*, TRUE AS created FROM inserted i) x
     JOIN users u ON u.id = x.author_id;
   END
   $fn$;`,
  // Web Push (#16): see sqlite-schema.ts step 7.
  `CREATE TABLE push_keys (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     public_key TEXT NOT NULL,
     private_key TEXT NOT NULL
   );
   CREATE TABLE push_subscriptions (
     session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
     user_id TEXT NOT NULL REFERENCES users(id),
     endpoint TEXT NOT NULL UNIQUE,
     p256dh TEXT NOT NULL,
     auth TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);
   CREATE TABLE push_levels (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL,
     level TEXT NOT NULL CHECK (level IN ('all', 'mentions', 'muted')),
     PRIMARY KEY (user_id, room)
   );
   CREATE TABLE push_queue (
     id BIGSERIAL PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('message', 'read', 'delivery')),
     room TEXT NOT NULL,
     seq BIGINT NOT NULL,
     user_id TEXT,
     session_id TEXT,
     payload TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     expires_at BIGINT NOT NULL,
     not_before BIGINT NOT NULL,
     claimed_until BIGINT NOT NULL DEFAULT 0
   );
   CREATE INDEX push_queue_due ON push_queue (not_before);
   CREATE TABLE push_shown (
     user_id TEXT NOT NULL,
     room TEXT NOT NULL,
     seq BIGINT NOT NULL,
     PRIMARY KEY (user_id, room)
   );`,
  // Reactions live only in the message row's JSON (change-rules.ts toggledReactions): the
  // per-person table was a second copy that every toggle wrote and read back.
  `DROP TABLE reactions;`,
  // The push fan-out and the "does this room have a subscribed member" check start from a room's
  // members: without this index each was a scan of every subscription on the server.
  `CREATE INDEX members_by_room ON members (room, user_id);`,
  // Attachments (#18): see sqlite-schema.ts (the same tables). append_messages again, now also
  // storing a message's attachments (JSON, resolved by the send path) and linking each one to the
  // message's room in the same statement, so a committed message is readable with its files.
  `CREATE TABLE attachments (
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     size BIGINT NOT NULL,
     width INTEGER,
     height INTEGER,
     thumbhash TEXT,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE attachment_uploads (
     upload_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     attachment_id TEXT NOT NULL REFERENCES attachments(id),
     name TEXT NOT NULL,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX attachment_uploads_by_user ON attachment_uploads (user_id, attachment_id, created_at);
   CREATE TABLE message_attachments (
     attachment_id TEXT NOT NULL REFERENCES attachments(id),
     message_id BIGINT NOT NULL REFERENCES messages(id),
     room TEXT NOT NULL,
     name TEXT NOT NULL,
     PRIMARY KEY (attachment_id, message_id)
   );
   CREATE INDEX message_attachments_by_message ON message_attachments (message_id);
   ALTER TABLE messages ADD COLUMN attachments TEXT;
   DROP FUNCTION append_messages(TEXT[], TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], BIGINT);
   CREATE FUNCTION append_messages(p_authors TEXT[], p_offsets TEXT[], p_rooms TEXT[], p_contents TEXT[], p_reply_to BIGINT[],
                                   p_reply_json TEXT[], p_attachments TEXT[], p_ts BIGINT)
   RETURNS TABLE (id BIGINT, room TEXT, seq BIGINT, author_id TEXT, author_name TEXT, client_offset TEXT, content TEXT, ts BIGINT,
                  reply_json TEXT, edited_at BIGINT, deleted BOOLEAN, reactions TEXT, attachments TEXT, created BOOLEAN)
   LANGUAGE plpgsql VOLATILE AS $fn$
   #variable_conflict use_column
   DECLARE
     first_id BIGINT;
   BEGIN
     UPDATE message_ids SET last_id = last_id + cardinality(p_authors)
       RETURNING last_id - cardinality(p_authors) + 1 INTO first_id;
     RETURN QUERY
     WITH input AS (
       SELECT u.ord, u.author_id, u.client_offset, u.room, u.content, u.reply_to, u.reply_json, u.attachments
       FROM unnest(p_authors, p_offsets, p_rooms, p_contents, p_reply_to, p_reply_json, p_attachments)
         WITH ORDINALITY AS u(author_id, client_offset, room, content, reply_to, reply_json, attachments, ord)
     ),
     stored AS (
       SELECT m.id, m.room, m.seq, m.author_id, m.client_offset, m.content, m.ts, m.reply_json, m.edited_at, m.deleted, m.reactions,
              m.attachments
       FROM messages m JOIN (SELECT DISTINCT i.author_id, i.client_offset FROM input i) k
         ON m.author_id = k.author_id AND m.client_offset = k.client_offset
     ),
     fresh AS (
       SELECT DISTINCT ON (i.author_id, i.client_offset) i.ord, i.author_id, i.client_offset, i.room, i.content, i.reply_to, i.reply_json,
              i.attachments
       FROM input i
       WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.author_id = i.author_id AND s.client_offset = i.client_offset)
       ORDER BY i.author_id, i.client_offset, i.ord
     ),
     counts AS (SELECT f.room, count(*) AS n FROM fresh f GROUP BY f.room),
     bumped AS (
       UPDATE rooms r SET last_seq = r.last_seq + c.n FROM counts c WHERE r.id = c.room
       RETURNING r.id, r.last_seq - c.n AS seq_before
     ),
     numbered AS (
       SELECT first_id + f.ord - 1 AS id, f.room, b.seq_before + row_number() OVER (PARTITION BY f.room ORDER BY f.ord) AS seq,
              f.author_id, f.client_offset, f.content, f.reply_to, f.reply_json, f.attachments
       FROM fresh f JOIN bumped b ON b.id = f.room
     ),
     inserted AS (
       INSERT INTO messages AS m (id, room, seq, author_id, client_offset, content, ts, reply_to, reply_json, attachments)
       SELECT n.id, n.room, n.seq, n.author_id, n.client_offset, n.content, p_ts, n.reply_to, n.reply_json, n.attachments FROM numbered n
       RETURNING m.id, m.room, m.seq, m.author_id, m.client_offset, m.content, m.ts, m.reply_json, m.edited_at, m.deleted, m.reactions,
                 m.attachments
     ),
     linked AS (
       INSERT INTO message_attachments (attachment_id, message_id, room, name)
       SELECT a.value->>'id', i.id, i.room, a.value->>'name'
       FROM inserted i CROSS JOIN LATERAL jsonb_array_elements(i.attachments::jsonb) AS a(value)
       WHERE i.attachments IS NOT NULL
       ON CONFLICT DO NOTHING
     )
     SELECT x.id, x.room, x.seq, x.author_id, u.name, x.client_offset, x.content, x.ts, x.reply_json, x.edited_at, x.deleted, x.reactions,
            x.attachments, x.created
     FROM (SELECT s.*, FALSE AS created FROM stored s UNION ALL SELECT i.*, TRUE AS created FROM inserted i) x
     JOIN users u ON u.id = x.author_id;
   END
   $fn$;`,
  // Every lookup in append_messages is by key, so a sequential scan is never the right plan. Its
  // plan is cached per connection from estimates made while the tables were small, and the bench
  // saw it read the whole messages table once per batch (20.8 M rows for 28,845 sends). With
  // sequential scans priced out, jit must go too: the penalty's cost pushed the tiny plan past
  // jit_above_cost, and compiling it took ~180 ms a call.
  `ALTER FUNCTION append_messages(TEXT[], TEXT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT) SET enable_seqscan = off SET jit = off;`,
  // Search off the send path (postgres-search-index.ts): each message's words move from a
  // generated column, computed and GIN-indexed inside every append, to a table of their own that
  // an indexer fills after the commits, up to a mark. What is stored already is indexed here.
  `DROP INDEX messages_search;
   ALTER TABLE messages DROP COLUMN search;
   -- No foreign key to messages (rows there are never deleted, a deletion empties them): its
   -- check would lock the message row, which an edit holds while it writes this entry, and the
   -- two would deadlock.
   -- The room beside the words, so a search filters and ranks without reading the messages.
   CREATE TABLE message_search (
     id BIGINT PRIMARY KEY,
     room TEXT NOT NULL,
     search tsvector NOT NULL
   );
   INSERT INTO message_search (id, room, search) SELECT id, room, to_tsvector('simple', content) FROM messages;
   CREATE INDEX message_search_words ON message_search USING GIN (search);
   CREATE TABLE search_progress (last_id BIGINT NOT NULL);
   INSERT INTO search_progress (last_id) SELECT coalesce(max(id), 0) FROM messages;`,
];

/** First key of the advisory lock pair: "CHAT" in ASCII, so it is recognizable in pg_locks. */
const MIGRATION_LOCK_CLASS = 0x43484154;

/**
 * Creates `schema` if needed and brings it to the latest version. A session-level
 * advisory lock (keyed by schema) makes concurrent starters wait for the first
 * one instead of racing on CREATE TABLE.
 */
export async function migrate(client: PoolClient, schema: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema]);
  try {
    // Checked first so an existing schema needs no CREATE privilege on the database.
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    for (let step = current; step < migrations.length; step++) {
      // Each step commits with its version bump, so a crash mid-way resumes at the right step.
      await client.query('BEGIN');
      await client.query(migrations[step]);
      await client.query('DELETE FROM schema_version');
      await client.query('INSERT INTO schema_version (version) VALUES ($1)', [step + 1]);
      await client.query('COMMIT');
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema]).catch(() => undefined);
  }
}

/** Double-quotes an SQL identifier (schema names come from configuration, not from users). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
