/**
 * Turns a finished upload into the bytes to store (#18): the type read from the bytes
 * (`file-type`) and judged (chat/attachment-type.ts); images re-encoded by `sharp` in their own
 * format, auto-rotated, with every piece of metadata dropped (EXIF and its GPS position, XMP,
 * IPTC, ICC: pixels converted to sRGB), plus a webp thumbnail and a ThumbHash; then the SHA-256
 * of what will be stored, its id. Other files are stored as they are.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileTypeFromFile } from 'file-type';
import sharp, { type Sharp } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { THUMB_MAX_SIDE } from '../../shared/limits';
import { canonicalType, isImageType, judgeType } from '../chat/attachment-type';
import { limitConcurrency } from './limit-concurrency';

/** Larger images are refused before they are decoded: 50 MP is a 200 MB bitmap. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** ThumbHash encodes at most 100×100 pixels. */
const THUMBHASH_SIDE = 100;
const ANIMATED = new Set(['image/gif', 'image/webp']);

/** One core stays free for the event loop (sends keep their latency while images are processed). */
const imageSlot = limitConcurrency(Math.max(1, availableParallelism() - 1));

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

export async function ingest(input: IngestInput): Promise<IngestOutcome> {
  const detected = (await fileTypeFromFile(input.path))?.mime;
  const looksLikeText = detected === undefined && canonicalType(input.claimed) === 'text/plain' && (await isUtf8Text(input.path));
  const verdict = judgeType({ claimed: input.claimed, detected, looksLikeText, allowed: input.allowed });
  if (!verdict.ok) return { ok: false, status: 415, reason: verdict.reason };
  if (isImageType(verdict.type)) return imageSlot(() => reencode(input, verdict.type));
  const { size } = await stat(input.path);
  return {
    ok: true,
    ingested: { id: await sha256Of(input.path), type: verdict.type, size, file: input.path, discard: async () => undefined },
  };
}

async function reencode(input: IngestInput, type: string): Promise<IngestOutcome> {
  await mkdir(input.workDir, { recursive: true });
  const base = join(input.workDir, randomBytes(8).toString('hex'));
  const [file, thumb] = [`${base}.image`, `${base}.thumb.webp`];
  const discard = async () => {
    await Promise.all([rm(file, { force: true }), rm(thumb, { force: true })]);
  };
  try {
    // Metadata is dropped unless asked for (sharp's default); autoOrient applies the EXIF rotation first.
    const image = sharp(input.path, { animated: ANIMATED.has(type), limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).autoOrient();
    await encodeAs(image, type).toFile(file);
  } catch (error) {
    await discard();
    const message = (error as Error).message ?? '';
    if (/pixel limit/i.test(message))
      return { ok: false, status: 413, reason: `images may have at most ${MAX_IMAGE_PIXELS / 1e6} megapixels` };
    return { ok: false, status: 415, reason: 'the image could not be decoded' };
  }
  try {
    const meta = await sharp(file).metadata();
    // The first frame only (no `animated`): a still thumbnail and placeholder.
    await sharp(file)
      .resize(THUMB_MAX_SIDE, THUMB_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toFile(thumb);
    const small = await sharp(file)
      .resize(THUMBHASH_SIDE, THUMBHASH_SIDE, { fit: 'inside' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const thumbhash = Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)).toString('base64');
    const { size } = await stat(file);
    return {
      ok: true,
      ingested: {
        id: await sha256Of(file),
        type,
        size,
        width: meta.width,
        height: meta.pageHeight ?? meta.height,
        thumbhash,
        file,
        thumb,
        discard,
      },
    };
  } catch (error) {
    await discard();
    throw error;
  }
}

/** The same format out as in, at settings that keep a photo looking as it did. */
function encodeAs(image: Sharp, type: string): Sharp {
  switch (type) {
    case 'image/jpeg':
      return image.jpeg({ quality: 85 });
    case 'image/png':
      return image.png();
    case 'image/webp':
      return image.webp({ quality: 85 });
    case 'image/gif':
      return image.gif();
    case 'image/avif':
      return image.avif({ quality: 60, effort: 2 });
    default:
      throw new Error(`not an image type: ${type}`);
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
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
