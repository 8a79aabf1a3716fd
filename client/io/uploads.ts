/**
 * Resumable uploads (tus 1.0.0 through tus-js-client, loaded on first use so it stays out of the app shell):
 * 1 MiB chunks, so a dropped connection loses at most one; an upload started before (its URL kept in the
 * outbox entry by the caller) is resumed from the offset the server holds, even after the app was killed.
 */
import { UPLOAD_CHUNK_BYTES } from '../../shared/limits';

export type UploadRequest = {
  blob: Blob;
  name: string;
  type: string;
  token: string;
  /** The URL of this file's upload, when one was created before: resumed rather than started over. */
  uploadUrl?: string;
  /** The server created the upload: keep its URL durably, to resume it after a relaunch. */
  onUrl(url: string): void;
  onProgress(bytesSent: number): void;
};

/** How an upload ended: done (its URL, to finalize), stopped by `abort`, or failed (with the HTTP status, if any answer came). */
export type UploadEnd = { kind: 'done'; url: string } | { kind: 'aborted' } | { kind: 'error'; status?: number };

export type RunningUpload = {
  end: Promise<UploadEnd>;
  /** Stops it; `terminate` also deletes the partial upload on the server (a cancel). */
  abort(terminate: boolean): Promise<void>;
};

export const UPLOAD_ENDPOINT = '/api/uploads';

export function startUpload(request: UploadRequest): RunningUpload {
  let settle: (end: UploadEnd) => void = () => undefined;
  const end = new Promise<UploadEnd>((resolve) => (settle = resolve));
  const started = import('tus-js-client').then(({ Upload, DetailedError }) => {
    const upload = new Upload(request.blob, {
      endpoint: UPLOAD_ENDPOINT,
      uploadUrl: request.uploadUrl ?? null,
      headers: { authorization: `Bearer ${request.token}` },
      metadata: { filename: request.name, filetype: request.type },
      chunkSize: UPLOAD_CHUNK_BYTES,
      // A few quick retries inside one attempt; after that the outbox backs off and tries again on reconnect.
      retryDelays: [0, 1000, 3000],
      // The outbox entry keeps the URL (IndexedDB), not tus-js-client's localStorage.
      storeFingerprintForResuming: false,
      onUploadUrlAvailable() {
        if (upload.url) request.onUrl(upload.url);
      },
      onProgress: (sent) => request.onProgress(sent),
      onSuccess: () => settle(upload.url ? { kind: 'done', url: upload.url } : { kind: 'error' }),
      onError: (error) =>
        settle({ kind: 'error', status: error instanceof DetailedError ? error.originalResponse?.getStatus() : undefined }),
    });
    upload.start();
    return upload;
  });
  started.catch(() => settle({ kind: 'error' }));
  return {
    end,
    async abort(terminate) {
      settle({ kind: 'aborted' });
      const upload = await started.catch(() => undefined);
      await upload?.abort(terminate).catch(() => undefined);
    },
  };
}

/** Deletes an upload not running in this page (a cancel after a relaunch); best effort: the server expires it anyway. */
export async function terminateUpload(url: string, token: string): Promise<void> {
  const { Upload } = await import('tus-js-client');
  await Upload.terminate(url, { headers: { authorization: `Bearer ${token}` }, retryDelays: null }).catch(() => undefined);
}
