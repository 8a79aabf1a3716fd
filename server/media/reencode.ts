/**
 * The image work of a finalize (#18), run in the image process (image-process.ts): re-encode in
 * the image's own format by sharp, auto-rotated, every piece of metadata dropped (EXIF and its GPS
 * position, XMP, IPTC, ICC: pixels converted to sRGB), then a webp thumbnail and a ThumbHash.
 * Answers plain data (it crosses a process boundary).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import { THUMB_MAX_SIDE } from '../../shared/limits';
import { sha256Of } from './sha256';

/** Larger images are refused before they are decoded: 50 MP is a 200 MB bitmap. */
export const MAX_IMAGE_PIXELS = 50_000_000;
/** ThumbHash encodes at most 100×100 pixels. */
const THUMBHASH_SIDE = 100;
const ANIMATED = new Set(['image/gif', 'image/webp']);

export type ReencodeJob = { path: string; type: string; workDir: string };
export type Reencoded = { id: string; size: number; width?: number; height?: number; thumbhash: string; file: string; thumb: string };
export type ReencodeOutcome = { ok: true; image: Reencoded } | { ok: false; status: 413 | 415; reason: string };

export async function reencode({ path, type, workDir }: ReencodeJob): Promise<ReencodeOutcome> {
  await mkdir(workDir, { recursive: true });
  const base = join(workDir, randomBytes(8).toString('hex'));
  const [file, thumb] = [`${base}.image`, `${base}.thumb.webp`];
  const discard = () => Promise.all([rm(file, { force: true }), rm(thumb, { force: true })]);
  try {
    // Metadata is dropped unless asked for (sharp's default); autoOrient applies the EXIF rotation first.
    const image = sharp(path, { animated: ANIMATED.has(type), limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' }).autoOrient();
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
      image: { id: await sha256Of(file), size, width: meta.width, height: meta.pageHeight ?? meta.height, thumbhash, file, thumb },
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
