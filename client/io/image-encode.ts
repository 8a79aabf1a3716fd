/**
 * Re-encodes a picked image on the device before it is queued: decoded (EXIF orientation applied), drawn at
 * most `maxSide` on its longest side, and encoded afresh, so nothing of the original file's metadata (camera,
 * EXIF location) is kept. Undefined when the browser cannot decode it: it is then sent as a file.
 */
import { fitWithin } from '../logic/attachment-logic';

export type Encoded = { blob: Blob; width: number; height: number };

export async function reencodeImage(file: Blob, type: string, maxSide: number, quality: number): Promise<Encoded | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return undefined;
  }
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height, maxSide);
    const blob = await draw(bitmap, width, height, type, quality);
    return blob && { blob, width, height };
  } finally {
    bitmap.close();
  }
}

async function draw(bitmap: ImageBitmap, width: number, height: number, type: string, quality: number): Promise<Blob | undefined> {
  if (typeof OffscreenCanvas === 'function') {
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    if (!context) return undefined;
    paint(context, bitmap, width, height, type);
    return canvas.convertToBlob({ type, quality });
  }
  // Safari before 16.4 has no OffscreenCanvas.
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) return undefined;
  paint(context, bitmap, width, height, type);
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob ?? undefined), type, quality));
}

function paint(
  context: OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D,
  bitmap: ImageBitmap,
  width: number,
  height: number,
  type: string,
): void {
  // JPEG has no transparency: transparent pixels would turn black.
  if (type === 'image/jpeg') {
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
  }
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, width, height);
}
