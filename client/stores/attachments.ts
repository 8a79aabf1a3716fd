/**
 * Photos and files (loaded with the first one, outside the app shell): prepares picked files (images resized
 * and re-encoded on the device), uploads a queued send's files (resumable, then finalized) for the outbox,
 * with progress and cancel, and lends the timeline object URLs: queued bytes while unsent, the room's cached
 * thumbnails and files once sent.
 */
import { defineStore } from 'pinia';
import { reactive } from 'vue';
import { IMAGE_MAX_SIDE, IMAGE_QUALITY } from '../../shared/limits';
import type { Attachment, Err } from '../../shared/protocol';
import { ApiError } from '../io/api';
import { finalizeUpload } from '../io/attachment-api';
import { loadBlobs } from '../io/attachment-blobs';
import { attachmentBlob, pruneRoomCache } from '../io/attachment-cache';
import { reencodeImage } from '../io/image-encode';
import { startUpload, terminateUpload, type RunningUpload } from '../io/uploads';
import {
  filesLeft,
  heldAttachmentIds,
  pickProblem,
  progressOf,
  reencodeTypeOf,
  renamed,
  uploadIdOf,
  uploadOutcomeOf,
} from '../logic/attachment-logic';
import type { LocalMessage, QueuedFile, SendEntry } from '../logic/models';
import { useSessionStore } from './session';

/** Picked files as they will be queued: what the entry says of each, and the bytes, in the same order. */
export type Prepared = { files: QueuedFile[]; blobs: Blob[] };

/** How uploading a send's files ended: all finalized (send it now), cancelled, try again later, or refused for good. */
export type FilesOutcome = { kind: 'ready'; files: QueuedFile[] } | { kind: 'gone' } | { kind: 'retry' } | { kind: 'failed'; error: Err };

export const useAttachmentsStore = defineStore('attachments', () => {
  const sessionStore = useSessionStore();
  /** How far each send's files are uploaded (0..1), by clientOffset, while it uploads. */
  const progress = reactive(new Map<string, number>());
  const running = new Map<string, RunningUpload>();
  const cancelled = new Set<string>();
  /** Object URLs of queued bytes by clientOffset: kept after the send for this page's life, so our photos never blink. */
  const queuedUrls = new Map<string, Promise<string[]>>();
  /** Object URLs of cached thumbnails and files, by path. */
  const seenUrls = new Map<string, Promise<string>>();

  /** Re-encodes images (resized, metadata gone) and keeps other files as they are; or says why they cannot be sent. */
  async function prepare(picked: readonly File[]): Promise<Prepared | string> {
    const problem = pickProblem(picked, 0);
    if (problem) return problem;
    const prepared: Prepared = { files: [], blobs: [] };
    for (const file of picked) {
      const target = reencodeTypeOf(file.type);
      const encoded = target ? await reencodeImage(file, target, IMAGE_MAX_SIDE, IMAGE_QUALITY) : undefined;
      if (encoded) {
        const { blob, width, height } = encoded;
        prepared.files.push({ name: renamed(file.name, blob.type), type: blob.type, size: blob.size, width, height });
        prepared.blobs.push(blob);
      } else {
        // "No claim" for the server when the browser knows no type: the bytes decide.
        prepared.files.push({ name: file.name || 'file', type: file.type || 'application/octet-stream', size: file.size });
        prepared.blobs.push(file);
      }
    }
    return prepared;
  }

  /**
   * Uploads and finalizes the files of `entry` that are not yet attachments, one after the other, keeping each
   * upload's URL and each attachment through `persist` (IndexedDB) as soon as it is known, so a relaunch resumes.
   * One tab at a time uploads a given send (a Web Lock): another tab's outbox waits and tries again later.
   */
  async function upload(entry: SendEntry, persist: (files: QueuedFile[]) => Promise<void>): Promise<FilesOutcome> {
    if (!navigator.locks) return uploadHere(entry, persist);
    // The lock's callback answers a promise; awaiting unwraps both.
    return await navigator.locks.request(`chat-upload:${entry.clientOffset}`, { ifAvailable: true }, async (lock): Promise<FilesOutcome> =>
      lock ? uploadHere(entry, persist) : { kind: 'retry' },
    );
  }

  async function uploadHere(entry: SendEntry, persist: (files: QueuedFile[]) => Promise<void>): Promise<FilesOutcome> {
    const token = sessionStore.session?.token;
    const { clientOffset } = entry;
    if (cancelled.has(clientOffset)) return { kind: 'gone' };
    if (!token || !entry.files) return { kind: 'retry' };
    const files = [...entry.files];
    const blobs = await loadBlobs(clientOffset);
    const sent = new Map<number, number>();
    const show = () => progress.set(clientOffset, progressOf(files, sent));
    show();
    try {
      for (const index of filesLeft(entry)) {
        const blob = blobs[index];
        const file = files[index];
        if (!blob || !file) return { kind: 'failed', error: { code: 'invalid', message: 'Its file is no longer on this device.' } };
        const outcome = await uploadOne(clientOffset, token, blob, file, {
          url: (uploadUrl) => {
            files[index] = { ...file, uploadUrl };
            if (!cancelled.has(clientOffset)) void persist([...files]);
          },
          sent: (bytes) => {
            sent.set(index, bytes);
            show();
          },
        });
        if (cancelled.has(clientOffset)) return { kind: 'gone' };
        if (outcome.kind === 'restart') {
          // The server no longer has that upload: the next attempt starts this file over.
          const { uploadUrl: _gone, ...fresh } = file;
          files[index] = fresh;
          await persist([...files]);
          return { kind: 'retry' };
        }
        if (outcome.kind !== 'done') return outcome;
        files[index] = { ...file, attachment: outcome.attachment };
        await persist([...files]);
        show();
      }
      return { kind: 'ready', files };
    } finally {
      running.delete(clientOffset);
      progress.delete(clientOffset);
    }
  }

  type OneOutcome =
    { kind: 'done'; attachment: Attachment } | { kind: 'restart' } | { kind: 'gone' } | { kind: 'retry' } | { kind: 'failed'; error: Err };

  async function uploadOne(
    clientOffset: string,
    token: string,
    blob: Blob,
    file: QueuedFile,
    on: { url(url: string): void; sent(bytes: number): void },
  ): Promise<OneOutcome> {
    const run = startUpload({
      blob,
      name: file.name,
      type: file.type,
      token,
      uploadUrl: file.uploadUrl,
      onUrl: on.url,
      onProgress: on.sent,
    });
    running.set(clientOffset, run);
    const end = await run.end;
    if (end.kind === 'aborted') return { kind: 'gone' };
    if (end.kind === 'error') return uploadOutcomeOf(end.status);
    const id = uploadIdOf(end.url);
    if (!id) return { kind: 'failed', error: { code: 'invalid', message: 'The server gave this upload an id this app cannot read.' } };
    try {
      return { kind: 'done', attachment: await finalizeUpload(token, id) };
    } catch (error) {
      return uploadOutcomeOf(error instanceof ApiError ? error.status : undefined);
    }
  }

  /** Stops a send's upload and deletes what the server holds of it (the caller takes the entry out of the outbox). */
  async function cancel(entry: SendEntry): Promise<void> {
    const { clientOffset } = entry;
    cancelled.add(clientOffset);
    progress.delete(clientOffset);
    const run = running.get(clientOffset);
    if (run) await run.abort(true);
    const token = sessionStore.session?.token;
    // Uploads begun before a relaunch are not running here: delete them by URL (best effort; they expire anyway).
    if (token)
      for (const file of entry.files ?? []) if (file.uploadUrl && !file.attachment && !run) await terminateUpload(file.uploadUrl, token);
  }

  /** Object URLs of a queued send's files (its bytes on this device), in order; empty once they are gone. */
  function queuedFileUrls(clientOffset: string): Promise<string[]> {
    let urls = queuedUrls.get(clientOffset);
    if (!urls) {
      urls = loadBlobs(clientOffset).then((blobs) => blobs.map((blob) => URL.createObjectURL(blob)));
      queuedUrls.set(clientOffset, urls);
    }
    return urls;
  }

  /** An object URL of a sent attachment (or its thumbnail), from the room's cache or the server; rejects offline if never seen. */
  function seenUrl(room: string, id: string, thumb: boolean): Promise<string> {
    const key = `${room}/${id}/${thumb ? 'thumb' : 'file'}`;
    let url = seenUrls.get(key);
    if (!url) {
      const token = sessionStore.session?.token ?? '';
      url = attachmentBlob(room, id, thumb, token).then((blob) => URL.createObjectURL(blob));
      // A failure (offline, not found) is asked again next time.
      url.catch(() => seenUrls.delete(key));
      seenUrls.set(key, url);
    }
    return url;
  }

  /** The bytes of a sent attachment, for a download. */
  function fileBlob(room: string, id: string): Promise<Blob> {
    return attachmentBlob(room, id, false, sessionStore.session?.token ?? '');
  }

  /** Keeps each room's cache to the attachments its stored messages carry (after the history bound evicts). */
  async function prune(timelines: ReadonlyMap<string, readonly LocalMessage[]>): Promise<void> {
    for (const [room, timeline] of timelines) await pruneRoomCache(room, heldAttachmentIds(timeline)).catch(() => undefined);
  }

  return { progress, prepare, upload, cancel, queuedFileUrls, seenUrl, fileBlob, prune };
});
