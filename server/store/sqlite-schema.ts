/**
 * SQLite schema as an ordered list of migrations; `PRAGMA user_version` records
 * how many ran. Append new steps, never edit one that has shipped.
 */
export const migrations: string[] = [
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE rooms (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('public', 'dm')),
     last_seq INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL
   );
   -- general is everyone's room, so its membership is implicit and not stored here.
   CREATE TABLE members (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL REFERENCES rooms(id),
     joined_at INTEGER NOT NULL,
     PRIMARY KEY (user_id, room)
   ) WITHOUT ROWID;
   CREATE TABLE messages (
     id INTEGER PRIMARY KEY,
     room TEXT NOT NULL REFERENCES rooms(id),
     seq INTEGER NOT NULL,
     author_id TEXT NOT NULL REFERENCES users(id),
     client_offset TEXT NOT NULL,
     content TEXT NOT NULL,
     ts INTEGER NOT NULL,
     UNIQUE (room, seq),
     UNIQUE (author_id, client_offset)
   );
   CREATE TABLE health (pid INTEGER PRIMARY KEY, checked_at INTEGER NOT NULL);
   INSERT INTO rooms (id, kind, last_seq, created_at) VALUES ('general', 'public', 0, unixepoch() * 1000);`,

  // Read cursors, for unread counts; general has rows here too, so no foreign key to members.
  `CREATE TABLE read_cursors (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL REFERENCES rooms(id),
     seq INTEGER NOT NULL,
     PRIMARY KEY (user_id, room)
   ) WITHOUT ROWID;`,

  // A session per signed-in device, each revocable. users.token_hash stays (SQLite cannot drop a
  // UNIQUE column without rebuilding the table): it holds the first session's hash, never read again.
  // Existing tokens become sessions, seen now, so an upgrade signs nobody out.
  `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     token_hash TEXT NOT NULL UNIQUE,
     device TEXT NOT NULL DEFAULT '',
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_by_user ON sessions (user_id);
   INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at)
     SELECT 'v1-' || id, id, token_hash, '', created_at, unixepoch() * 1000 FROM users;`,

  // Identity across devices: a unique @handle (lower-case; NULL until claimed), passkeys,
  // single-use WebAuthn challenges any worker can check, and one-time device-link codes (hashed).
  `ALTER TABLE users ADD COLUMN handle TEXT;
   CREATE UNIQUE INDEX users_by_handle ON users (handle);
   CREATE TABLE passkeys (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     public_key BLOB NOT NULL,
     counter INTEGER NOT NULL,
     transports TEXT NOT NULL DEFAULT '',
     device TEXT NOT NULL DEFAULT '',
     created_at INTEGER NOT NULL,
     last_used_at INTEGER
   );
   CREATE INDEX passkeys_by_user ON passkeys (user_id);
   CREATE TABLE auth_challenges (
     challenge TEXT PRIMARY KEY,
     purpose TEXT NOT NULL CHECK (purpose IN ('register', 'login')),
     user_id TEXT,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE link_codes (
     code_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     expires_at INTEGER NOT NULL
   );`,

  // Search: an FTS5 index over messages' content (external content: no second copy of the text),
  // filled off the send path from a backlog the commit only appends to (sqlite-search-index.ts).
  // Existing messages start in the backlog, so the index fills in the background after upgrading.
  `CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
   CREATE TABLE search_backlog (id INTEGER PRIMARY KEY);
   CREATE TRIGGER messages_search_backlog AFTER INSERT ON messages BEGIN
     INSERT INTO search_backlog (id) VALUES (new.id);
   END;
   INSERT INTO search_backlog (id) SELECT id FROM messages;`,

  // Messages people can change: replies, edits, deletes (tombstones, the text gone), reactions,
  // a gap-free change stream per room (rev, like seq), and delivery cursors for ticks. What a
  // message looks like now is kept on its row (reply_json, edited_at, deleted, reactions), so a
  // page is read without joins; changes.content keeps an edit's text until the message is deleted.
  `ALTER TABLE messages ADD COLUMN reply_to INTEGER;
   ALTER TABLE messages ADD COLUMN reply_json TEXT;
   ALTER TABLE messages ADD COLUMN edited_at INTEGER;
   ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE messages ADD COLUMN reactions TEXT;
   CREATE INDEX messages_by_parent ON messages (reply_to) WHERE reply_to IS NOT NULL;
   ALTER TABLE rooms ADD COLUMN last_rev INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE changes (
     id INTEGER PRIMARY KEY,
     room TEXT NOT NULL REFERENCES rooms(id),
     rev INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete', 'react')),
     target INTEGER NOT NULL REFERENCES messages(id),
     target_seq INTEGER NOT NULL,
     author_id TEXT NOT NULL REFERENCES users(id),
     client_offset TEXT NOT NULL,
     ts INTEGER NOT NULL,
     content TEXT,
     emoji TEXT,
     on_flag INTEGER,
     UNIQUE (room, rev),
     UNIQUE (author_id, client_offset)
   );
   CREATE INDEX changes_by_target ON changes (target);
   CREATE TABLE reactions (
     message_id INTEGER NOT NULL REFERENCES messages(id),
     user_id TEXT NOT NULL REFERENCES users(id),
     emoji TEXT NOT NULL,
     ts INTEGER NOT NULL,
     PRIMARY KEY (message_id, emoji, user_id)
   ) WITHOUT ROWID;
   CREATE TABLE delivered_cursors (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL REFERENCES rooms(id),
     seq INTEGER NOT NULL,
     PRIMARY KEY (user_id, room)
   ) WITHOUT ROWID;
   ALTER TABLE users ADD COLUMN read_receipts INTEGER NOT NULL DEFAULT 1;`,
  // Web Push (#16): one subscription per device session (gone with the session), the VAPID key pair
  // every process signs with, each person's level per room (no row: the room's default), the durable
  // queue of pushes to make (a message to fan out, a read to tell, or one delivery to retry; claimed
  // with a lease so a crashed sender's rows come back), and which rooms have notifications showing.
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
     created_at INTEGER NOT NULL
   );
   CREATE INDEX push_subscriptions_by_user ON push_subscriptions (user_id);
   CREATE TABLE push_levels (
     user_id TEXT NOT NULL REFERENCES users(id),
     room TEXT NOT NULL,
     level TEXT NOT NULL CHECK (level IN ('all', 'mentions', 'muted')),
     PRIMARY KEY (user_id, room)
   ) WITHOUT ROWID;
   CREATE TABLE push_queue (
     id INTEGER PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('message', 'read', 'delivery')),
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     user_id TEXT,
     session_id TEXT,
     payload TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     expires_at INTEGER NOT NULL,
     not_before INTEGER NOT NULL,
     claimed_until INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX push_queue_due ON push_queue (not_before);
   CREATE TABLE push_shown (
     user_id TEXT NOT NULL,
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (user_id, room)
   ) WITHOUT ROWID;`,
  // Reactions live only in the message row's JSON (change-rules.ts toggledReactions): the
  // per-person table was a second copy that every toggle wrote and read back.
  `DROP TABLE reactions;`,
  // The push fan-out and the "does this room have a subscribed member" check start from a room's
  // members: without this index each was a scan of every subscription on the server.
  `CREATE INDEX members_by_room ON members (room, user_id);`,
  // Attachments (#18). `attachments` holds each blob's facts once (content-addressed: the id is the
  // SHA-256 of the bytes); `attachment_uploads` each finalized tus upload (who, what, under which
  // name: finalizing again answers this row); `message_attachments` which rooms' messages carry
  // a blob, for the access check on every read. The message row keeps its Attachment[] as JSON,
  // ready to send, like its reactions.
  `CREATE TABLE attachments (
     id TEXT PRIMARY KEY,
     type TEXT NOT NULL,
     size INTEGER NOT NULL,
     width INTEGER,
     height INTEGER,
     thumbhash TEXT,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE TABLE attachment_uploads (
     upload_id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id),
     attachment_id TEXT NOT NULL REFERENCES attachments(id),
     name TEXT NOT NULL,
     created_at INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX attachment_uploads_by_user ON attachment_uploads (user_id, attachment_id, created_at);
   CREATE TABLE message_attachments (
     attachment_id TEXT NOT NULL REFERENCES attachments(id),
     message_id INTEGER NOT NULL REFERENCES messages(id),
     room TEXT NOT NULL,
     name TEXT NOT NULL,
     PRIMARY KEY (attachment_id, message_id)
   ) WITHOUT ROWID;
   CREATE INDEX message_attachments_by_message ON message_attachments (message_id);
   ALTER TABLE messages ADD COLUMN attachments TEXT;`,
  // Catch-up pages kept encoded for `auth.pages: 'rows'` (sqlite-sealed-pages.ts): each full page
  // of 500 messages from seq 1, 501, 1001, … as its rows' JSON and its authors' ids. A trigger
  // queues a page when its last message goes in, and takes a sealed page back whenever one of its
  // messages changes (edit, delete, reaction, a reply's preview, anything that updates the row);
  // the writer seals what is queued when it is quiet. Existing rooms' full pages start queued.
  `CREATE TABLE sealed_pages (
     room TEXT NOT NULL,
     first_seq INTEGER NOT NULL,
     authors_json TEXT NOT NULL,
     rows_json TEXT NOT NULL,
     PRIMARY KEY (room, first_seq)
   );
   CREATE TABLE unsealed_pages (room TEXT NOT NULL, first_seq INTEGER NOT NULL, PRIMARY KEY (room, first_seq)) WITHOUT ROWID;
   CREATE TRIGGER messages_page_full AFTER INSERT ON messages WHEN new.seq % 500 = 0 BEGIN
     INSERT OR IGNORE INTO unsealed_pages (room, first_seq) VALUES (new.room, new.seq - 499);
   END;
   CREATE TRIGGER messages_page_changed AFTER UPDATE ON messages BEGIN
     DELETE FROM sealed_pages WHERE room = old.room AND first_seq = (old.seq - 1) / 500 * 500 + 1;
     INSERT OR IGNORE INTO unsealed_pages (room, first_seq) VALUES (new.room, (new.seq - 1) / 500 * 500 + 1);
   END;
   CREATE TRIGGER messages_page_gone AFTER DELETE ON messages BEGIN
     DELETE FROM sealed_pages WHERE room = old.room AND first_seq = (old.seq - 1) / 500 * 500 + 1;
   END;
   INSERT INTO unsealed_pages (room, first_seq)
     WITH RECURSIVE pages (room, first_seq, last_seq) AS (
       SELECT id, 1, last_seq FROM rooms WHERE last_seq >= 500
       UNION ALL SELECT room, first_seq + 500, last_seq FROM pages WHERE first_seq + 999 <= last_seq
     )
     SELECT room, first_seq FROM pages;`,
  // The same sealed pages as `message:packed` rows (auth.pages: 'packed'), under the same authors_json.
  // Pages sealed before are queued again, to be sealed with their packed rows when the writer is quiet;
  // until then a packed catch-up reads them row by row.
  `ALTER TABLE sealed_pages ADD COLUMN packed_json TEXT;
   INSERT OR IGNORE INTO unsealed_pages (room, first_seq) SELECT room, first_seq FROM sealed_pages;`,
];
