/** Pure outbox decisions: new client offsets, what to send next, and what an ack (or its absence) means. */
import type { Ack, Err, Message, User } from '../../shared/protocol';
import { messageKey, type LocalMessage, type OutboxEntry } from './models';

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

/** The oldest entry that is still to be sent; failed entries wait for the user. */
export function nextToSend(entries: readonly OutboxEntry[]): OutboxEntry | undefined {
  return inWriteOrder(entries).find((entry) => !entry.failed);
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

/** The timeline record of an unsent entry (plain data: IndexedDB cannot clone Vue proxies). */
export function unsentMessage(entry: OutboxEntry, user: User): LocalMessage {
  return {
    key: messageKey(user.id, entry.clientOffset),
    room: entry.room,
    clientOffset: entry.clientOffset,
    author: { id: user.id, name: user.name },
    content: entry.content,
    state: entry.failed ? 'failed' : 'pending',
    ts: entry.createdAt,
    order: entry.order,
    ...(entry.failed ? { error: { ...entry.failed } } : {}),
  };
}
