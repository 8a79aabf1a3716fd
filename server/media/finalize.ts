/**
 * Finalize (#18): a finished tus upload of the caller becomes a stored, content-addressed
 * Attachment. Idempotent: the finalize is recorded per upload, so calling again (after a lost
 * answer, a crash, from another worker) answers the first result; the same bytes uploaded again
 * are stored once. A file that lies about its type, or is not allowed, is refused and its upload
 * deleted.
 */
import { join } from 'node:path';
import type { Attachment } from '../../shared/protocol';
import { attachmentName } from '../chat/attachment-name';
import type { AttachmentConfig } from '../config';
import type { AttachmentRecords } from '../store/attachment-records';
import { thumbKey, type BlobStore } from '../store/blob-store';
import type { ImageWorker } from './image-worker';
import { ingest } from './ingest';
import type { Uploads } from './uploads';

/** What the attachment routes work with (absent where the app runs without them). */
export type MediaDeps = {
  uploads: Uploads;
  blobs: BlobStore;
  /** Where images are re-encoded: a process of their own, at the lowest priority. */
  images: ImageWorker;
  config: Pick<AttachmentConfig, 'blobDir' | 'types'>;
};

export type FinalizeOutcome =
  | { ok: true; attachment: Attachment; created: boolean }
  | { ok: false; code: 'not_found' | 'conflict' | 'unsupported' | 'too_long'; message: string };

const notFound: FinalizeOutcome = { ok: false, code: 'not_found', message: 'no such upload of yours' };

/** Finalizes in flight on this process, by caller and upload: a second call waits for the first instead of racing it. */
const inFlight = new Map<string, Promise<FinalizeOutcome>>();

export function finalizeUpload(deps: MediaDeps, store: AttachmentRecords, userId: string, uploadId: string): Promise<FinalizeOutcome> {
  const key = `${userId}\u0000${uploadId}`;
  const running = inFlight.get(key);
  if (running) return running.then((outcome) => (outcome.ok ? { ...outcome, created: false } : outcome));
  const work = finalize(deps, store, userId, uploadId).finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}

async function finalize(deps: MediaDeps, store: AttachmentRecords, userId: string, uploadId: string): Promise<FinalizeOutcome> {
  const done = await store.finalizedUpload(uploadId);
  // Another user's upload id is answered like one that does not exist.
  if (done) return done.userId === userId ? { ok: true, attachment: done.attachment, created: false } : notFound;
  const upload = await deps.uploads.info(uploadId);
  if (!upload || upload.owner !== userId) return notFound;
  if (upload.size === undefined || upload.offset < upload.size)
    return { ok: false, code: 'conflict', message: `the upload is not complete (${upload.offset} of ${upload.size ?? '?'} bytes)` };

  const outcome = await ingest(
    { path: upload.path, claimed: upload.filetype, allowed: deps.config.types, workDir: join(deps.config.blobDir, 'work') },
    deps.images,
  );
  if (!outcome.ok) {
    // It will never become an attachment: its bytes need not wait for the expiry sweep.
    await deps.uploads.remove(uploadId);
    return { ok: false, code: outcome.status === 413 ? 'too_long' : 'unsupported', message: outcome.reason };
  }
  const { ingested } = outcome;
  try {
    // The thumbnail first: whoever finds the blob finds its thumbnail too.
    if (ingested.thumb) await deps.blobs.put(thumbKey(ingested.id), ingested.thumb);
    await deps.blobs.put(ingested.id, ingested.file);
    const attachment: Attachment = { id: ingested.id, name: attachmentName(upload.filename), type: ingested.type, size: ingested.size };
    if (ingested.width !== undefined && ingested.height !== undefined)
      Object.assign(attachment, { width: ingested.width, height: ingested.height });
    if (ingested.thumbhash !== undefined) attachment.thumbhash = ingested.thumbhash;
    const recorded = await store.recordAttachment({ uploadId, userId, attachment });
    await deps.uploads.remove(uploadId);
    return { ok: true, attachment: recorded.attachment, created: recorded.created };
  } finally {
    await ingested.discard();
  }
}
