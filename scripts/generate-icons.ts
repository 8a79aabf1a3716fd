/**
 * Draws the PWA icons (public/) with no image library: a chat bubble rasterised with 4×4
 * supersampling and written as PNG. Run: node --import tsx scripts/generate-icons.ts
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];
const BLUE: Rgba = [11, 87, 164, 255];
const WHITE: Rgba = [255, 255, 255, 255];
const CLEAR: Rgba = [0, 0, 0, 0];

function insideRoundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function insideTriangle(x: number, y: number, a: [number, number], b: [number, number], c: [number, number]): boolean {
  const sign = (p: [number, number], q: [number, number], r: [number, number]) =>
    (p[0] - r[0]) * (q[1] - r[1]) - (q[0] - r[0]) * (p[1] - r[1]);
  const point: [number, number] = [x, y];
  const d1 = sign(point, a, b);
  const d2 = sign(point, b, c);
  const d3 = sign(point, c, a);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** Colour at a point of the unit square; `scale` shrinks the bubble into the maskable safe zone. */
function paint(x: number, y: number, options: { rounded: boolean; scale: number }): Rgba {
  if (options.rounded && !insideRoundedRect(x, y, 0, 0, 1, 1, 0.22)) return CLEAR;
  const u = 0.5 + (x - 0.5) / options.scale;
  const v = 0.5 + (y - 0.5) / options.scale;
  const inBubble = insideRoundedRect(u, v, 0.18, 0.22, 0.82, 0.68, 0.14) || insideTriangle(u, v, [0.3, 0.6], [0.46, 0.6], [0.26, 0.82]);
  if (!inBubble) return BLUE;
  for (const dotX of [0.36, 0.5, 0.64]) if ((u - dotX) ** 2 + (v - 0.45) ** 2 <= 0.052 ** 2) return BLUE;
  return WHITE;
}

function render(size: number, options: { rounded: boolean; scale: number }): Buffer {
  const samples = 4;
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0;
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = paint((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size, options);
          const alpha = colour[3] / 255;
          for (let channel = 0; channel < 3; channel++) sum[channel] += colour[channel] * alpha;
          sum[3] += colour[3];
        }
      }
      const count = samples * samples;
      const alpha = sum[3] / count;
      const offset = py * (size * 4 + 1) + 1 + px * 4;
      for (let channel = 0; channel < 3; channel++)
        raw[offset + channel] = alpha > 0 ? Math.round(sum[channel] / count / (alpha / 255)) : 0;
      raw[offset + 3] = Math.round(alpha);
    }
  }
  return png(size, raw);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size: number, raw: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

const outputs: Array<[string, number, { rounded: boolean; scale: number }]> = [
  ['public/icons/icon-192.png', 192, { rounded: true, scale: 1 }],
  ['public/icons/icon-512.png', 512, { rounded: true, scale: 1 }],
  // Maskable: full bleed, artwork inside the central 80% safe zone.
  ['public/icons/maskable-512.png', 512, { rounded: false, scale: 0.78 }],
  // iOS rounds the corners itself and shows transparency as black.
  ['public/apple-touch-icon.png', 180, { rounded: false, scale: 0.9 }],
  ['public/favicon.png', 64, { rounded: true, scale: 1 }],
];
for (const [path, size, options] of outputs) {
  writeFileSync(path, render(size, options));
  console.log(`wrote ${path} (${size}×${size})`);
}
