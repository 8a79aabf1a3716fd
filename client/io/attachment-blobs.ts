/** The bytes of queued files in IndexedDB (`blobs`, by the send's clientOffset), written with the entry that carries them. */
import type { LocalMessage, SendEntry } from '../logic/models';
import { db } from './db';

/** The entry, its pending message and its files' bytes are stored together or not at all (a full disk refuses all three). */
export async function queueWithFiles(entry: SendEntry, message: LocalMessage, blobs: Blob[]): Promise<void> {
  const tx = (await db()).transaction(['outbox', 'messages', 'blobs'], 'readwrite');
  await Promise.all([
    tx.objectStore('outbox').add(entry),
    tx.objectStore('messages').put(message),
    tx.objectStore('blobs').put({ clientOffset: entry.clientOffset, blobs }),
    tx.done,
  ]);
}

/** The queued bytes of a send's files, in the order of its `files`; empty once it has been sent or deleted. */
export async function loadBlobs(clientOffset: string): Promise<Blob[]> {
  return (await (await db()).get('blobs', clientOffset))?.blobs ?? [];
}
