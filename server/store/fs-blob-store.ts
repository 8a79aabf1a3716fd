/**
 * The filesystem BlobStore: `<dir>/<key[0..2]>/<key>`, written as a temp file in the same folder,
 * fsynced, then renamed into place, so a crash leaves the whole blob or none (at worst a stray
 * `.tmp-*` file, which no key can name). The temp file is a hard link to the source where both
 * are on one filesystem (the default: uploads and work files live under the blob folder), so a
 * photo's bytes are not written a second time; a copy elsewhere.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertBlobKey, type BlobStore } from './blob-store';

/**
 * A new name for the source's bytes when they are on the same filesystem, else a copy. The
 * sources are finished files nobody writes again (a completed upload, a re-encoded image), and
 * removing the source's name later leaves the blob's.
 */
async function linkOrCopy(fromPath: string, toPath: string): Promise<void> {
  try {
    await link(fromPath, toPath);
  } catch {
    // Another filesystem (EXDEV), or one without hard links: the bytes are copied.
    await copyFile(fromPath, toPath);
  }
}

export function openFsBlobStore(dir: string): BlobStore {
  const pathOf = (key: string): string => {
    assertBlobKey(key);
    return join(dir, key.slice(0, 2), key);
  };

  async function size(key: string): Promise<number | null> {
    try {
      return (await stat(pathOf(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  return {
    has: async (key) => (await size(key)) !== null,
    size,
    async put(key, fromPath) {
      const target = pathOf(key);
      // Content-addressed: a blob under this key already holds these bytes.
      if ((await size(key)) !== null) return;
      const folder = join(dir, key.slice(0, 2));
      await mkdir(folder, { recursive: true });
      const temp = join(folder, `.tmp-${randomBytes(8).toString('hex')}`);
      try {
        await linkOrCopy(fromPath, temp);
        // The bytes reach the disk before the name does: the database will point at this blob.
        const handle = await open(temp, 'r');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        await rename(temp, target);
      } finally {
        // Gone after a rename, except when a concurrent put of the same source got there first:
        // then temp and target are links to one inode, and rename() onto it does nothing (POSIX).
        await rm(temp, { force: true });
      }
    },
    async open(key, range) {
      const whole = await size(key);
      if (whole === null) return null;
      const stream = createReadStream(pathOf(key), range ? { start: range.start, end: range.end } : {});
      return { stream, size: whole };
    },
    async remove(key) {
      await rm(pathOf(key), { force: true });
    },
  };
}
