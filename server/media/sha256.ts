/** A file's SHA-256, hex: the content address of a blob. Apart from reencode.ts so that hashing does not load sharp. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
