/** The shapes the PWA keeps on the device (IndexedDB and Pinia), built on the wire types. */
import type { Err, RoomId, User } from '../../shared/protocol';

export type MessageState = 'pending' | 'sent' | 'failed';

/** One timeline entry: a server message, or one of ours that the server has not acknowledged yet. */
export type LocalMessage = {
  /** `authorId/clientOffset`: the server's idempotency key, so a pending message and its acked copy share one record. */
  key: string;
  room: RoomId;
  clientOffset: string;
  author: User;
  content: string;
  state: MessageState;
  /** Server time once sent; the local creation time while unsent. */
  ts: number;
  id?: number;
  seq?: number;
  /** Position in the outbox while unsent (timeline order after every sent message). */
  order?: number;
  error?: Err;
};

/** A message waiting for the server's `ok`, replayed on every (re)connect in `order`. */
export type OutboxEntry = {
  clientOffset: string;
  room: RoomId;
  content: string;
  order: number;
  createdAt: number;
  /** Set when the server refused it for good (invalid, too_long, forbidden): the user retries or deletes it. */
  failed?: Err;
};

export type Session = { token: string; user: User };

export function messageKey(authorId: string, clientOffset: string): string {
  return `${authorId}/${clientOffset}`;
}
