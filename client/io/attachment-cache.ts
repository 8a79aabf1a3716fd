/**
 * Attachments seen on this device stay readable offline: each room has a Cache Storage cache of the thumbnails
 * and files opened in it, pruned to what the room's stored messages still carry (the history storage bound),
 * and deleted at sign-out with every private cache (`private-caches.ts`).
 */
import { attachmentCacheName, attachmentIdOfPath } from '../logic/attachment-logic';
import { attachmentPath, fetchAttachment } from './attachment-api';

/** An attachment's bytes (or thumbnail): from the room's cache when seen before, else fetched and kept. */
export async function attachmentBlob(room: string, id: string, thumb: boolean, token: string): Promise<Blob> {
  const path = attachmentPath(id, thumb);
  const cache = await openCache(room);
  const cached = await cache?.match(path);
  if (cached) return cached.blob();
  const response = await fetchAttachment(token, path);
  // Kept as the server sent it; a full disk only means it is fetched again next time.
  await cache?.put(path, response.clone()).catch(() => undefined);
  return response.blob();
}

/** Keeps in the room's cache only the attachments in `keep` (what its stored messages carry). */
export async function pruneRoomCache(room: string, keep: ReadonlySet<string>): Promise<void> {
  const cache = await openCache(room);
  if (!cache) return;
  for (const request of await cache.keys()) {
    const id = attachmentIdOfPath(new URL(request.url).pathname);
    if (!id || !keep.has(id)) await cache.delete(request);
  }
}

async function openCache(room: string): Promise<Cache | undefined> {
  // Cache Storage exists in secure contexts only.
  if (typeof caches === 'undefined') return undefined;
  return caches.open(attachmentCacheName(room)).catch(() => undefined);
}
