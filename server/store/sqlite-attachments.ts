/** AttachmentRecords on SQLite (see attachment-records.ts); synchronous statements on the store's main connection. */
import type Database from 'better-sqlite3';
import type { AttachmentRecords, FinalizedUpload } from './attachment-records';
import { ATTACHMENT_FACTS, toAttachment, type AttachmentRow } from './attachment-rows';

type UploadRow = AttachmentRow & { upload_id: string; user_id: string };

/** `guarded` turns driver failures into `unavailable`, as for every other store call. */
export function sqliteAttachmentRecords(db: Database.Database, guarded: <T>(work: () => T) => Promise<T>): AttachmentRecords {
  const q = {
    insertFacts: db.prepare(
      `INSERT INTO attachments (id, type, size, width, height, thumbhash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    insertUpload: db.prepare(
      `INSERT INTO attachment_uploads (upload_id, user_id, attachment_id, name, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (upload_id) DO NOTHING`,
    ),
    upload: db.prepare<[string], UploadRow>(
      `SELECT f.upload_id, f.user_id, f.name, ${ATTACHMENT_FACTS}
       FROM attachment_uploads f JOIN attachments a ON a.id = f.attachment_id WHERE f.upload_id = ?`,
    ),
    // The newest finalize of each id wins its name (SQLite takes the bare columns from the MAX row).
    finalizedBy: db.prepare<[string, string], AttachmentRow & { newest: number }>(
      `SELECT f.name, ${ATTACHMENT_FACTS}, MAX(f.created_at) AS newest
       FROM attachment_uploads f JOIN attachments a ON a.id = f.attachment_id
       WHERE f.user_id = ? AND f.attachment_id IN (SELECT value FROM json_each(?))
       GROUP BY f.attachment_id`,
    ),
    rooms: db.prepare<[string, number], AttachmentRow & { room: string }>(
      `SELECT l.room, MIN(l.name) AS name, ${ATTACHMENT_FACTS}
       FROM message_attachments l JOIN attachments a ON a.id = l.attachment_id
       WHERE l.attachment_id = ? GROUP BY l.room ORDER BY l.room LIKE 'dm:%', l.room LIMIT ?`,
    ),
  };

  const toFinalized = (row: UploadRow): FinalizedUpload => ({
    uploadId: row.upload_id,
    userId: row.user_id,
    attachment: toAttachment(row),
  });

  const record = db.transaction((input: FinalizedUpload) => {
    const { attachment } = input;
    const now = Date.now();
    q.insertFacts.run(
      attachment.id,
      attachment.type,
      attachment.size,
      attachment.width ?? null,
      attachment.height ?? null,
      attachment.thumbhash ?? null,
      now,
    );
    const created = q.insertUpload.run(input.uploadId, input.userId, attachment.id, attachment.name, now).changes === 1;
    const stored = q.upload.get(input.uploadId);
    if (!stored) throw new Error('finalized upload not found after insert');
    return { ...toFinalized(stored), created };
  });

  return {
    recordAttachment: (input) => guarded(() => record.immediate(input)),
    finalizedUpload: (uploadId) =>
      guarded(() => {
        const row = q.upload.get(uploadId);
        return row ? toFinalized(row) : null;
      }),
    attachmentsFinalizedBy: (userId, ids) => guarded(() => q.finalizedBy.all(userId, JSON.stringify(ids)).map(toAttachment)),
    attachmentRooms: (id, limit) => guarded(() => q.rooms.all(id, limit).map((row) => ({ room: row.room, attachment: toAttachment(row) }))),
  };
}
