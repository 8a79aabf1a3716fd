/** Pure outbox decisions: new client offsets, what to send next, and what an ack (or its absence) means. */
import type { Ack, Err, Message, User } from '../../shared/protocol';
import { SIGNED_OUT_AUTHOR, messageKey, type LocalMessage, type OutboxEntry } from './models';

export const ACK_TIMEOUT_MS = 8_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30_000;

/** 16 random bytes as base64url: 22 chars of [A-Za-z0-9_-], works outside secure contexts too. */
export function clientOffsetFromBytes(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Entries in the order they were written. */
export function inWriteOrder(entries: readonly OutboxEntry[]): OutboxEntry[] {
  return [...entries].sort((a, b) => a.order - b.order);
}

/**
 * The oldest entry `authorId` may send: failed entries wait for the user, and an entry written by
 * anyone else (a session that has ended on this device) is never sent, by anyone.
 */
export function nextToSend(entries: readonly OutboxEntry[], authorId: string): OutboxEntry | undefined {
  return inWriteOrder(entries).find((entry) => !entry.failed && isAuthor(entry, authorId));
}

/** Whether `authorId` wrote this entry; nobody wrote the entries of a signed-out person that predate authors. */
export function isAuthor(entry: OutboxEntry, authorId: string): boolean {
  return entry.authorId !== SIGNED_OUT_AUTHOR && entry.authorId === authorId;
}

/** The outbox as the signed-in person sees it: theirs to send, and the inert rest (written before a session ended). */
export function splitByAuthor(
  entries: readonly OutboxEntry[],
  authorId: string | undefined,
): { own: OutboxEntry[]; signedOut: OutboxEntry[] } {
  const own: OutboxEntry[] = [];
  const signedOut: OutboxEntry[] = [];
  for (const entry of inWriteOrder(entries)) (authorId !== undefined && isAuthor(entry, authorId) ? own : signedOut).push(entry);
  return { own, signedOut };
}

export function nextOrder(entries: readonly OutboxEntry[], now: number): number {
  const last = entries.reduce((max, entry) => Math.max(max, entry.order), 0);
  return Math.max(now, last + 1);
}

/** Exponential backoff with full jitter: `random` in [0, 1). */
export function backoffMs(attempts: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

export type SendResult = { kind: 'answer'; answer: Ack<{ message: Message }> } | { kind: 'timeout' } | { kind: 'disconnected' };

export type SendOutcome =
  | { kind: 'sent'; message: Message }
  /** Keep the entry pending; try again after `delayMs`. `suspectSocket` means the connection may be dead. */
  | { kind: 'retry'; delayMs: number; suspectSocket: boolean }
  /** The connection dropped: the next connect replays it. */
  | { kind: 'wait-for-connect' }
  | { kind: 'failed'; error: Err };

const PERMANENT: ReadonlySet<Err['code']> = new Set(['invalid', 'too_long', 'forbidden', 'not_found']);

export function outcomeOf(result: SendResult, attempts: number, random: number): SendOutcome {
  if (result.kind === 'timeout') return { kind: 'retry', delayMs: backoffMs(attempts, random), suspectSocket: true };
  if (result.kind === 'disconnected') return { kind: 'wait-for-connect' };
  const { answer } = result;
  if (answer.ok) return { kind: 'sent', message: answer.message };
  if (answer.error.code === 'rate_limited') {
    return { kind: 'retry', delayMs: Math.max(answer.error.retryAfterMs ?? 0, backoffMs(0, random)), suspectSocket: false };
  }
  if (PERMANENT.has(answer.error.code)) return { kind: 'failed', error: answer.error };
  return { kind: 'retry', delayMs: backoffMs(attempts, random), suspectSocket: false };
}

/** Human words for a refusal, shown under a failed message. */
export function describeFailure(error: Err): string {
  switch (error.code) {
    case 'too_long':
      return 'Too long to send';
    case 'forbidden':
      return 'You cannot post here';
    case 'not_found':
      return 'Room not found';
    default:
      return 'The server refused this message';
  }
}

/** The timeline record of its author's unsent entry (plain data: IndexedDB cannot clone Vue proxies). */
export function unsentMessage(entry: OutboxEntry, author: User): LocalMessage {
  return {
    key: messageKey(entry.authorId, entry.clientOffset),
    room: entry.room,
    clientOffset: entry.clientOffset,
    author: { id: author.id, name: author.name },
    content: entry.content,
    state: entry.failed ? 'failed' : 'pending',
    ts: entry.createdAt,
    order: entry.order,
    ...(entry.failed ? { error: { ...entry.failed } } : {}),
  };
}
