/** AttachmentRecords on PostgreSQL (see attachment-records.ts); the same tables as on SQLite. */
import type pg from 'pg';
import type { AttachmentRecords, FinalizedUpload } from './attachment-records';
import { ATTACHMENT_FACTS, toAttachment, type AttachmentRow } from './attachment-rows';
import { inTransaction } from './postgres-client';

type UploadRow = AttachmentRow & { upload_id: string; user_id: string };

const UPLOAD = `SELECT f.upload_id, f.user_id, f.name, ${ATTACHMENT_FACTS}
  FROM attachment_uploads f JOIN attachments a ON a.id = f.attachment_id WHERE f.upload_id = $1`;

const toFinalized = (row: UploadRow): FinalizedUpload => ({ uploadId: row.upload_id, userId: row.user_id, attachment: toAttachment(row) });

/** `guarded` turns driver failures into `unavailable`, as for every other store call. */
export function postgresAttachmentRecords(pool: pg.Pool, guarded: <T>(work: () => Promise<T>) => Promise<T>): AttachmentRecords {
  return {
    recordAttachment: (input) =>
      guarded(() =>
        inTransaction(pool, async (client) => {
          const { attachment } = input;
          const now = Date.now();
          await client.query(
            `INSERT INTO attachments (id, type, size, width, height, thumbhash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO NOTHING`,
            [
              attachment.id,
              attachment.type,
              attachment.size,
              attachment.width ?? null,
              attachment.height ?? null,
              attachment.thumbhash ?? null,
              now,
            ],
          );
          const inserted = await client.query(
            `INSERT INTO attachment_uploads (upload_id, user_id, attachment_id, name, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (upload_id) DO NOTHING`,
            [input.uploadId, input.userId, attachment.id, attachment.name, now],
          );
          const { rows } = await client.query<UploadRow>(UPLOAD, [input.uploadId]);
          if (!rows[0]) throw new Error('finalized upload not found after insert');
          return { ...toFinalized(rows[0]), created: inserted.rowCount === 1 };
        }),
      ),
    finalizedUpload: (uploadId) =>
      guarded(async () => {
        const { rows } = await pool.query<UploadRow>(UPLOAD, [uploadId]);
        return rows[0] ? toFinalized(rows[0]) : null;
      }),
    attachmentsFinalizedBy: (userId, ids) =>
      guarded(async () => {
        // The newest finalize of each id wins its name.
        const { rows } = await pool.query<AttachmentRow>(
          `SELECT DISTINCT ON (f.attachment_id) f.name, ${ATTACHMENT_FACTS}
           FROM attachment_uploads f JOIN attachments a ON a.id = f.attachment_id
           WHERE f.user_id = $1 AND f.attachment_id = ANY($2)
           ORDER BY f.attachment_id, f.created_at DESC`,
          [userId, ids],
        );
        return rows.map(toAttachment);
      }),
    attachmentRooms: (id, limit) =>
      guarded(async () => {
        const { rows } = await pool.query<AttachmentRow & { room: string }>(
          `SELECT * FROM (
             SELECT DISTINCT ON (l.room) l.room, l.name, ${ATTACHMENT_FACTS}
             FROM message_attachments l JOIN attachments a ON a.id = l.attachment_id
             WHERE l.attachment_id = $1 ORDER BY l.room, l.name
           ) r ORDER BY r.room LIKE 'dm:%', r.room LIMIT $2`,
          [id, limit],
        );
        return rows.map((row) => ({ room: row.room, attachment: toAttachment(row) }));
      }),
  };
}
