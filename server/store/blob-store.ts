/**
 * Where attachment bytes live, behind one interface (#18): a folder by default, any store every
 * instance shares in scale-out. Blobs are content-addressed and immutable: a key names one
 * content forever, so `put` of a key that exists is a no-op and readers never see it change.
 */
import type { Readable } from 'node:stream';

/** An attachment's bytes (`<sha256>`) or its thumbnail (`<sha256>.thumb.webp`). */
export const BLOB_KEY_PATTERN = /^[0-9a-f]{64}(\.thumb\.webp)?$/;

export const thumbKey = (id: string): string => `${id}.thumb.webp`;

/** Inclusive byte positions, as HTTP ranges count them. */
export type ByteRange = { start: number; end: number };

export type OpenBlob = { stream: Readable; size: number };

export interface BlobStore {
  has(key: string): Promise<boolean>;
  /**
   * Stores the bytes of the file at `fromPath` under `key`, atomically: readers see no blob or
   * the whole blob, never part of one, also after a crash. The source file is left where it is
   * and may be removed afterwards, but never written again: a store may share its bytes (a hard
   * link on the same filesystem).
   */
  put(key: string, fromPath: string): Promise<void>;
  /** The blob's bytes (those of `range` only, when given) and its whole size; null when there is none. */
  open(key: string, range?: ByteRange): Promise<OpenBlob | null>;
  /** The blob's size without reading it; null when there is none. */
  size(key: string): Promise<number | null>;
  /** Removes the blob; removing one that is not there is not an error. */
  remove(key: string): Promise<void>;
}

export function assertBlobKey(key: string): void {
  if (!BLOB_KEY_PATTERN.test(key)) throw new Error(`not a blob key: ${JSON.stringify(key).slice(0, 80)}`);
}
