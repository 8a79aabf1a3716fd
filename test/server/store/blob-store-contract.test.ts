/**
 * The BlobStore contract, held against the filesystem store and the S3-compatible one (against a
 * loopback S3 that checks every request's signature): content-addressed keys, atomic puts that
 * never show part of a blob, ranges, and removal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thumbKey, type BlobStore } from '../../../server/store/blob-store';
import { openFsBlobStore } from '../../../server/store/fs-blob-store';
import { openS3BlobStore } from '../../../server/store/s3-blob-store';
import { startFakeS3, type FakeS3 } from '../../support/fake-s3';
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

  it('keeps the blob whole when its source file is removed afterwards', async () => {
    const file = fileOf('a finished upload');
    await blobs.put(file.id, file.path);
    rmSync(file.path);
    expect(await text((await opened(blobs, file.id)).stream)).toBe('a finished upload');
  });

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

  it('leaves no temp file when concurrent puts of one source race', async () => {
    const blobs = kind.open();
    const file = fileOf(randomBytes(64 * 1024));
    // Each put links its temp file to the source; once one is renamed into place, renaming another
    // link of the same inode onto it does nothing, which left 7 temp files of 8 puts.
    await Promise.all(Array.from({ length: 8 }, () => blobs.put(file.id, file.path)));
    const folder = join(kind.dir, 'blobs', file.id.slice(0, 2));
    expect(readdirSync(folder).filter((name) => name.startsWith('.tmp-'))).toEqual([]);
  });

  it('does not write the bytes again when the source is on the same filesystem (a hard link)', async () => {
    const blobs = kind.open();
    const file = fileOf('linked, not copied');
    await blobs.put(file.id, file.path);
    expect(statSync(join(kind.dir, 'blobs', file.id.slice(0, 2), file.id)).ino).toBe(statSync(file.path).ino);
  });
});

describe('S3-compatible blob store', () => {
  const credentials = { accessKeyId: 'AKIATESTCHAT', secretAccessKey: 'test-secret-key', region: 'eu-west-1' };
  let s3: FakeS3;
  beforeAll(async () => {
    s3 = await startFakeS3(credentials);
  });
  afterAll(async () => {
    expect(s3.faults).toEqual([]);
    await s3.close();
  });
  // Opened lazily: the fake's port is known only once it listens.
  let store: BlobStore | undefined;
  const lazy: BlobStore = {
    has: (key) => opened().has(key),
    size: (key) => opened().size(key),
    put: (key, from) => opened().put(key, from),
    open: (key, range) => opened().open(key, range),
    remove: (key) => opened().remove(key),
  };
  const opened = (): BlobStore =>
    (store ??= openS3BlobStore({ ...credentials, endpoint: s3.endpoint, bucket: 'chat-blobs', prefix: 'test/' }));
  contract({ name: 's3', open: () => lazy, cleanup: () => undefined });

  it('keeps objects as <bucket>/<prefix><key>, and a wrong secret is refused, not stored', async () => {
    const file = fileOf('in the bucket');
    await lazy.put(file.id, file.path);
    expect(s3.objects.get(`/chat-blobs/test/${file.id}`)?.toString()).toBe('in the bucket');
    const forged = openS3BlobStore({
      ...credentials,
      secretAccessKey: 'wrong',
      endpoint: s3.endpoint,
      bucket: 'chat-blobs',
      prefix: 'test/',
    });
    const other = fileOf('forged');
    await expect(forged.put(other.id, other.path)).rejects.toThrow('403');
    expect(s3.objects.has(`/chat-blobs/test/${other.id}`)).toBe(false);
    s3.faults.length = 0;
  });
});
