/**
 * Resumable uploads (#18): a tus 1.0.0 server (`@tus/server`, creation, termination and
 * expiration) whose partial files live in `<blobDir>/uploads/` (`@tus/file-store`). Each upload
 * belongs to the user who created it: the owner goes into the upload's stored metadata, written
 * by the server over anything the client sent, and the HTTP edge checks it before any request
 * on an upload. Unfinished uploads expire after UPLOAD_EXPIRY_MS and are swept hourly.
 * The tus packages load on the first upload request (or a sweep that finds partial files), not at
 * start: a worker that never sees an upload keeps their memory.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStore } from '@tus/file-store';
import type { Server } from '@tus/server';
import { UPLOAD_EXPIRY_MS, UPLOAD_ID_PATTERN } from '../../shared/limits';
import type { AttachmentConfig } from '../config';
import { log } from '../observe/log';

/** Where the edges mount tus: the upload URLs are `<UPLOADS_PATH>/<id>`. */
export const UPLOADS_PATH = '/api/uploads';
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** What finalize needs to know of an upload. */
export type UploadInfo = {
  id: string;
  owner: string | undefined;
  /** The file so far, and how much of it has arrived. */
  path: string;
  offset: number;
  size: number | undefined;
  filename: string;
  filetype: string;
};

export type Uploads = {
  /** Answers a tus request (creation, HEAD, PATCH, DELETE) made by `userId`; ownership is checked by the caller. */
  handle(request: Request, userId: string): Promise<Response>;
  /** The upload as stored, or null when there is none (never created, finished and removed, or expired). */
  info(id: string): Promise<UploadInfo | null>;
  /** Deletes the partial file and its record; one already gone is not an error. */
  remove(id: string): Promise<void>;
  /** Removes expired unfinished uploads now; answers how many. */
  sweep(): Promise<number>;
  close(): void;
};

/** A refusal inside a tus hook: @tus/server answers it with this status and body. */
const refusal = (status_code: number, body: string) => ({ status_code, body });

/** `expiryMs` is UPLOAD_EXPIRY_MS but in tests. */
export function openUploads(
  config: Pick<AttachmentConfig, 'blobDir' | 'maxBytes'>,
  origins: string[],
  expiryMs = UPLOAD_EXPIRY_MS,
): Uploads {
  const directory = join(config.blobDir, 'uploads');
  // Who is asking, per request: the hooks see only the web Request the edge handed over.
  const askers = new WeakMap<Request, string>();
  let loading: Promise<{ tus: Server; datastore: FileStore }> | undefined;
  const load = () =>
    (loading ??= (async () => {
      const [{ FileStore }, { Server }] = await Promise.all([import('@tus/file-store'), import('@tus/server')]);
      const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: expiryMs });
      const tus = new Server({
        path: UPLOADS_PATH,
        datastore,
        maxSize: config.maxBytes,
        relativeLocation: true,
        respectForwardedHeaders: false,
        // Our own origin needs no CORS; other allowed origins are those of CHAT_ORIGINS (none: no header).
        allowedOrigins: origins,
        allowedHeaders: ['Authorization'],
        async onUploadCreate(request, upload) {
          const owner = askers.get(request);
          if (!owner) throw refusal(500, 'upload without an asker\n');
          if (upload.sizeIsDeferred) throw refusal(400, 'Upload-Length is required (Upload-Defer-Length is not offered)\n');
          const metadata = upload.metadata ?? {};
          if (!metadata.filename || !metadata.filetype) throw refusal(400, 'Upload-Metadata must carry filename and filetype\n');
          return { metadata: { filename: metadata.filename, filetype: metadata.filetype, owner } };
        },
      });
      return { tus, datastore };
    })());
  const hasPartialFiles = () =>
    readdir(directory).then(
      (names) => names.length > 0,
      () => false,
    );

  const sweep = async (): Promise<number> => {
    try {
      if (!loading && !(await hasPartialFiles())) return 0;
      return await (await load()).tus.cleanUpExpiredUploads();
    } catch (error) {
      // Another worker may have swept the same upload first.
      log.warn(`uploads: sweep failed (${(error as Error).message ?? String(error)})`);
      return 0;
    }
  };
  const timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
  timer.unref();

  return {
    async handle(request, userId) {
      const { tus } = await load();
      askers.set(request, userId);
      return tus.handleWeb(request);
    },
    async info(id) {
      if (!UPLOAD_ID_PATTERN.test(id)) return null;
      try {
        const upload = await (await load()).datastore.getUpload(id);
        const metadata = upload.metadata ?? {};
        return {
          id,
          owner: metadata.owner ?? undefined,
          path: join(directory, id),
          offset: upload.offset,
          size: upload.size,
          filename: metadata.filename ?? '',
          filetype: metadata.filetype ?? '',
        };
      } catch {
        // FILE_NOT_FOUND / FILE_NO_LONGER_EXISTS: tus errors are plain objects with a status.
        return null;
      }
    },
    async remove(id) {
      if (!UPLOAD_ID_PATTERN.test(id)) return;
      await (await load()).datastore.remove(id).catch(() => undefined);
    },
    sweep,
    close: () => clearInterval(timer),
  };
}
