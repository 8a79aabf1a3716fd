/**
 * Attachments over real HTTP, as the PWA sends them: tus uploads through tus-js-client (its
 * Node HTTP stack), finalize and reads with fetch, and test images made by sharp.
 */
import sharp from 'sharp';
import { Upload, type HttpRequest } from 'tus-js-client';
import type { Attachment } from '../../shared/protocol';
import { UPLOAD_CHUNK_BYTES } from '../../shared/limits';

export type TusOptions = {
  chunkSize?: number;
  /** Resume this upload (its URL) instead of creating one. */
  uploadUrl?: string;
  /** Called after each chunk the server acknowledged; return true to stop the upload there (a drop). */
  stopAfterChunk?: (bytesAccepted: number) => boolean;
  /** Every request the client makes, in order. */
  requests?: Array<{ method: string; offset: string | undefined }>;
};

export type TusResult = { url: string; id: string; finished: boolean };

/** Uploads `bytes` with tus-js-client; resolves with the upload's URL (and id, its last segment). */
export function tusUpload(
  server: string,
  token: string,
  bytes: Buffer,
  metadata: Record<string, string>,
  options: TusOptions = {},
): Promise<TusResult> {
  return new Promise((resolve, reject) => {
    const result = (finished: boolean): TusResult => {
      const url = upload.url ?? '';
      return { url, id: url.split('/').pop() ?? '', finished };
    };
    const upload: Upload = new Upload(bytes, {
      endpoint: `${server}/api/uploads`,
      uploadUrl: options.uploadUrl ?? null,
      headers: { Authorization: `Bearer ${token}` },
      chunkSize: options.chunkSize ?? UPLOAD_CHUNK_BYTES,
      metadata,
      retryDelays: null,
      storeFingerprintForResuming: false,
      onBeforeRequest: (request: HttpRequest) => {
        options.requests?.push({ method: request.getMethod(), offset: request.getHeader('Upload-Offset') });
      },
      onChunkComplete: (_chunk, accepted) => {
        if (options.stopAfterChunk?.(accepted) && accepted < bytes.length) {
          void upload.abort(false).then(() => resolve(result(false)), reject);
        }
      },
      onSuccess: () => resolve(result(true)),
      onError: reject,
    });
    upload.start();
  });
}

export async function finalize(
  server: string,
  token: string,
  upload: string,
): Promise<{ status: number; body: Attachment & { error?: { code: string; message: string } } }> {
  const response = await fetch(`${server}/api/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ upload }),
  });
  return { status: response.status, body: (await response.json()) as Attachment & { error?: { code: string; message: string } } };
}

export function read(server: string, token: string | null, path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server}/api/attachments/${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
}

/** A photo as a phone takes it: a JPEG with a camera make and a GPS position in its EXIF, rotated by its orientation tag. */
export function photoWithGps(width = 400, height = 300, colour = { r: 200, g: 40, b: 40 }): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg({ quality: 90 })
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Make: 'LeakyCam', Model: 'GPS 3000' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2959/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4021/100' },
    })
    .toBuffer();
}

/** Whether an EXIF block points at a GPS directory (tag 0x8825, either byte order). */
export function hasGpsPointer(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  return exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));
}
