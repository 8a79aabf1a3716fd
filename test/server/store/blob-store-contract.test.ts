/**
 * The BlobStore contract, held against the filesystem store (the one implementation today; an
 * S3-compatible one would run the same suite): content-addressed keys, atomic puts that never
 * show part of a blob, ranges, and removal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { thumbKey, type BlobStore } from '../../../server/store/blob-store';
import { openFsBlobStore } from '../../../server/store/fs-blob-store';
import { tempDir } from '../../support/server';

type BlobKind = { name: string; open(): BlobStore; cleanup(): void };

function fsKind(): BlobKind & { dir: string } {
  const dir = tempDir('chat-blobs-');
  return { name: 'filesystem', dir: dir.path, open: () => openFsBlobStore(join(dir.path, 'blobs')), cleanup: () => dir.remove() };
}

const source = tempDir('chat-blob-source-');
afterAll(() => source.remove());

/** A file of `content` and its content address. */
function fileOf(content: string | Buffer): { path: string; id: string } {
  const path = join(source.path, randomBytes(6).toString('hex'));
  writeFileSync(path, content);
  return { path, id: createHash('sha256').update(content).digest('hex') };
}

/** The blob's stream, failing the test when there is no blob. */
async function opened(blobs: BlobStore, key: string, range?: { start: number; end: number }): Promise<{ stream: Readable; size: number }> {
  const blob = await blobs.open(key, range);
  if (!blob) throw new Error(`no blob ${key}`);
  return blob;
}

const bytesOf = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

function contract(kind: BlobKind): void {
  afterAll(() => kind.cleanup());
  const blobs = kind.open();

  it('stores a copy under its key and reads it back whole, with its size', async () => {
    const file = fileOf('hello, blob');
    expect(await blobs.has(file.id)).toBe(false);
    expect(await blobs.open(file.id)).toBeNull();
    await blobs.put(file.id, file.path);
    expect(await blobs.has(file.id)).toBe(true);
    expect(await blobs.size(file.id)).toBe(11);
    const blob = await opened(blobs, file.id);
    expect(blob.size).toBe(11);
    expect(await text(blob.stream)).toBe('hello, blob');
  });

  it('reads a byte range, inclusive at both ends, and reports the whole size', async () => {
    const content = randomBytes(100_000);
    const file = fileOf(content);
    await blobs.put(file.id, file.path);
    const blob = await opened(blobs, file.id, { start: 1000, end: 1999 });
    expect(blob.size).toBe(100_000);
    expect((await bytesOf(blob.stream)).equals(content.subarray(1000, 2000))).toBe(true);
  });

  it('keeps the first blob of a key: a second put of the same content is a no-op', async () => {
    const file = fileOf('same bytes');
    await blobs.put(file.id, file.path);
    await blobs.put(file.id, file.path);
    expect(await text((await opened(blobs, file.id)).stream)).toBe('same bytes');
  });

  it('keeps thumbnails under their own key, and removes blobs (twice is fine)', async () => {
    const file = fileOf('an image');
    const thumb = fileOf('its thumbnail');
    await blobs.put(file.id, file.path);
    await blobs.put(thumbKey(file.id), thumb.path);
    expect(await text((await opened(blobs, thumbKey(file.id))).stream)).toBe('its thumbnail');
    await blobs.remove(thumbKey(file.id));
    await blobs.remove(thumbKey(file.id));
    expect(await blobs.has(thumbKey(file.id))).toBe(false);
    expect(await blobs.has(file.id)).toBe(true);
  });

  it('refuses keys that are not content addresses (no path can be smuggled in)', async () => {
    const file = fileOf('x');
    await expect(blobs.put('../../etc/passwd', file.path)).rejects.toThrow('not a blob key');
    await expect(blobs.open('A'.repeat(64))).rejects.toThrow('not a blob key');
    await expect(blobs.has(`${'a'.repeat(64)}/x`)).rejects.toThrow('not a blob key');
  });

  it('never shows part of a blob: many concurrent puts of one key each see none or all of it', async () => {
    const content = randomBytes(2 * 1024 * 1024);
    const file = fileOf(content);
    const reads: Promise<void>[] = [];
    const puts = Array.from({ length: 8 }, () => blobs.put(file.id, file.path));
    for (let i = 0; i < 20; i++) {
      reads.push(
        blobs.open(file.id).then(async (blob) => {
          if (blob) expect((await bytesOf(blob.stream)).length).toBe(content.length);
        }),
      );
    }
    await Promise.all([...puts, ...reads]);
    expect((await bytesOf((await opened(blobs, file.id)).stream)).equals(content)).toBe(true);
  });
}

describe('filesystem blob store', () => {
  const kind = fsKind();
  contract(kind);

  it('lays blobs out as <dir>/<id[0..2]>/<id>, with no temp file left behind', async () => {
    const blobs = kind.open();
    const file = fileOf('layout');
    await blobs.put(file.id, file.path);
    const folder = join(kind.dir, 'blobs', file.id.slice(0, 2));
    expect(readdirSync(folder)).toContain(file.id);
    expect(readdirSync(folder).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });
});
