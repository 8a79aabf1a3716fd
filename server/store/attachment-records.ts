/**
 * What the store keeps about attachments (#18): each blob's facts once, each finalized upload
 * (who turned which tus upload into which blob, under which name), and which rooms' messages
 * carry a blob. The bytes themselves live in a BlobStore (blob-store.ts).
 */
import type { Attachment, RoomId } from '../../shared/protocol';

/** One finalize: `uploadId` (the tus id) became `attachment` for `userId`. */
export type FinalizedUpload = { uploadId: string; userId: string; attachment: Attachment };

export interface AttachmentRecords {
  /**
   * Records a finalize: the blob's facts (kept from the first time its id was seen) and the upload.
   * A repeated `uploadId` changes nothing and answers the first record with `created: false`.
   */
  recordAttachment(input: FinalizedUpload): Promise<FinalizedUpload & { created: boolean }>;
  /** What a finalized upload became, or null when it was never finalized. */
  finalizedUpload(uploadId: string): Promise<FinalizedUpload | null>;
  /** Those of `ids` that `userId` finalized (any order), each named as in their latest finalize. */
  attachmentsFinalizedBy(userId: string, ids: string[]): Promise<Attachment[]>;
  /**
   * Rooms holding a message (not deleted) that carries the attachment, each with the attachment as
   * that room's message carries it (its name), at most `limit` rooms.
   */
  attachmentRooms(id: string, limit: number): Promise<Array<{ room: RoomId; attachment: Attachment }>>;
}
