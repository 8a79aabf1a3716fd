/**
 * Turns a finished upload into the bytes to store (#18): the type read from the bytes
 * (`file-type`) and judged (chat/attachment-type.ts); images re-encoded, thumbnailed and hashed
 * in the image process (reencode.ts, at the lowest priority); then the SHA-256 of what will be
 * stored, its id. Other files are stored as they are.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { canonicalType, isImageType, judgeType } from '../chat/attachment-type';
import type { ImageWorker } from './image-worker';
import { sha256Of } from './sha256';

export type IngestInput = {
  /** The finished upload. */
  path: string;
  /** The client's `filetype`. */
  claimed: string;
  allowed: readonly string[];
  /** Where re-encoded files are written (removed by `discard`). */
  workDir: string;
};

export type Ingested = {
  id: string;
  type: string;
  size: number;
  width?: number;
  height?: number;
  thumbhash?: string;
  /** The file to store under `id`, and the thumbnail to store beside it (images). */
  file: string;
  thumb?: string;
  /** Removes what ingest wrote (never the upload itself). */
  discard(): Promise<void>;
};

export type IngestOutcome = { ok: true; ingested: Ingested } | { ok: false; status: 413 | 415; reason: string };

export async function ingest(input: IngestInput, images: ImageWorker): Promise<IngestOutcome> {
  // Loaded on the first upload, not at start: a worker that never sees one keeps its memory.
  const { fileTypeFromFile } = await import('file-type');
  const detected = (await fileTypeFromFile(input.path))?.mime;
  const looksLikeText = detected === undefined && canonicalType(input.claimed) === 'text/plain' && (await isUtf8Text(input.path));
  const verdict = judgeType({ claimed: input.claimed, detected, looksLikeText, allowed: input.allowed });
  if (!verdict.ok) return { ok: false, status: 415, reason: verdict.reason };
  if (!isImageType(verdict.type)) {
    const { size } = await stat(input.path);
    return {
      ok: true,
      ingested: { id: await sha256Of(input.path), type: verdict.type, size, file: input.path, discard: async () => undefined },
    };
  }
  const outcome = await images.reencode({ path: input.path, type: verdict.type, workDir: input.workDir });
  if (!outcome.ok) return outcome;
  const { image } = outcome;
  const discard = async () => {
    await Promise.all([rm(image.file, { force: true }), rm(image.thumb, { force: true })]);
  };
  return { ok: true, ingested: { ...image, type: verdict.type, discard } };
}

/** Valid UTF-8 throughout, and no NUL (which no text file holds). */
async function isUtf8Text(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) {
      const bytes = chunk as Buffer;
      if (bytes.includes(0)) return false;
      decoder.decode(bytes, { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}
