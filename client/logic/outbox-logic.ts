/** Pure outbox decisions: new client offsets, what to send next, what a change to a queued message does, and what an ack (or its absence) means. */
import type {
  Ack,
  DeletePayload,
  EditPayload,
  Err,
  Message,
  MessageChange,
  MessageTarget,
  ReactionPayload,
  SendPayload,
  User,
} from '../../shared/protocol';
import { replyPreviewText } from '../../shared/reply-preview';
import { SIGNED_OUT_AUTHOR, messageKey, type LocalMessage, type LocalReply, type OutboxEntry, type SendEntry } from './models';

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
 * The oldest entry `authorId` may send: failed entries wait for the user, so do operations on a failed
 * message (a reply, reaction or edit that names it by clientOffset), and an entry written by anyone else
 * (a session that has ended on this device) is never sent, by anyone.
 */
export function nextToSend(entries: readonly OutboxEntry[], authorId: string): OutboxEntry | undefined {
  const failed = new Set(entries.filter((entry) => entry.failed).map((entry) => entry.clientOffset));
  return inWriteOrder(entries).find((entry) => {
    if (entry.failed || !isAuthor(entry, authorId)) return false;
    const parent = parentOf(entry);
    return typeof parent !== 'string' || !failed.has(parent);
  });
}

/** The message an entry needs the server to hold first: the parent of a reply, the target of a change. */
export function parentOf(entry: OutboxEntry): MessageTarget | undefined {
  return entry.kind === 'send' ? entry.replyTo?.target : entry.target;
}

/** How the signed-in person names a message on the wire: by id once the server has it, else (ours, queued) by clientOffset. */
export function targetOf(message: Pick<LocalMessage, 'id' | 'clientOffset'>): MessageTarget {
  return message.id ?? message.clientOffset;
}

/** The queued sends only: what "N unsent" counts (a queued reaction is not a message). */
export function queuedSends(entries: readonly OutboxEntry[]): SendEntry[] {
  return entries.filter((entry): entry is SendEntry => entry.kind === 'send');
}

export type Wire =
  | { event: 'message:send'; payload: SendPayload }
  | { event: 'message:edit'; payload: EditPayload }
  | { event: 'message:delete'; payload: DeletePayload }
  | { event: 'reaction:set'; payload: ReactionPayload };

/** The event and payload an entry goes out as; the same clientOffset on every replay. */
export function wireOf(entry: OutboxEntry): Wire {
  const { room, clientOffset } = entry;
  switch (entry.kind) {
    case 'send':
      return {
        event: 'message:send',
        payload: {
          room,
          clientOffset,
          content: entry.content,
          ...(entry.replyTo && entry.replyTo.target !== DETACHED ? { replyTo: entry.replyTo.target } : {}),
          // Sent only once every file is finalized (the outbox uploads them first), so each has its id.
          ...(entry.files ? { attachments: entry.files.map((file) => file.attachment?.id ?? '') } : {}),
        },
      };
    case 'edit':
      return { event: 'message:edit', payload: { room, clientOffset, target: entry.target, content: entry.content } };
    case 'delete':
      return { event: 'message:delete', payload: { room, clientOffset, target: entry.target } };
    case 'react':
      return { event: 'reaction:set', payload: { room, clientOffset, target: entry.target, emoji: entry.emoji, on: entry.on } };
  }
}

/** What an edit or delete of one of our messages still in the outbox does: nothing goes to the server for it. */
export type QueuedChange = {
  /** Entries to write as they are now (the send with its new text; replies that lose a deleted parent). */
  rewrite: OutboxEntry[];
  /** Entries to take out (the deleted send, and the changes queued on it). */
  remove: OutboxEntry[];
};

/**
 * Editing a queued send rewrites its text; deleting it takes it out with the reactions queued on it, and
 * replies queued to it go out as plain messages quoting a deleted message. Undefined when the message is
 * not queued any more (the server has it: the change is queued instead).
 */
export function changeQueued(
  entries: readonly OutboxEntry[],
  clientOffset: string,
  change: { kind: 'edit'; content: string } | { kind: 'delete' },
): QueuedChange | undefined {
  const send = entries.find((entry): entry is SendEntry => entry.kind === 'send' && entry.clientOffset === clientOffset);
  if (!send) return undefined;
  if (change.kind === 'edit') {
    // Replies queued to it quote the new text, as the server will when it stores them after it.
    const replies = entries.flatMap((entry) =>
      entry.kind === 'send' && entry.replyTo?.target === clientOffset
        ? [{ ...entry, replyTo: { ...entry.replyTo, preview: { ...entry.replyTo.preview, preview: replyPreviewText(change.content) } } }]
        : [],
    );
    return { rewrite: [{ ...send, content: change.content }, ...replies], remove: [] };
  }
  const remove: OutboxEntry[] = [send];
  const rewrite: OutboxEntry[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'send' && entry.target === clientOffset) remove.push(entry);
    // A reply to a message that never reached the server cannot name it there: it goes out as a plain
    // message, and this device keeps its quote as "deleted message".
    if (entry.kind === 'send' && entry.replyTo?.target === clientOffset) {
      rewrite.push({ ...entry, replyTo: { target: DETACHED, preview: { key: entry.replyTo.preview.key, preview: '', deleted: true } } });
    }
  }
  return { rewrite, remove };
}

/** The target of a reply whose parent was deleted while both were queued: shown, never sent. */
export const DETACHED = '';

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

/** A send is answered with the stored message, a change with the stored change. */
export type Stored = { message: Message; change?: undefined } | { change: MessageChange; message?: undefined };
export type SendResult = { kind: 'answer'; answer: Ack<Stored> } | { kind: 'timeout' } | { kind: 'disconnected' };

export type SendOutcome =
  | ({ kind: 'sent' } & Stored)
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
  if (answer.ok) return answer.change ? { kind: 'sent', change: answer.change } : { kind: 'sent', message: answer.message };
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
export function unsentMessage(entry: SendEntry, author: User): LocalMessage {
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
    ...(entry.replyTo ? { replyTo: plainReply(entry.replyTo.preview) } : {}),
    ...(entry.files ? { attachments: entry.files.map(({ uploadUrl: _url, attachment, ...file }) => ({ ...file, ...attachment })) } : {}),
  };
}

function plainReply(reply: LocalReply): LocalReply {
  return { ...reply, ...(reply.author ? { author: { id: reply.author.id, name: reply.author.name } } : {}) };
}

/** What a reply shows of the message it answers, taken when the person starts the reply. */
export function replyQuote(parent: LocalMessage): LocalReply {
  const quote: LocalReply = {
    key: parent.key,
    author: { id: parent.author.id, name: parent.author.name },
    preview: replyPreviewText(parent.content),
  };
  if (parent.id !== undefined) quote.id = parent.id;
  if (parent.seq !== undefined) quote.seq = parent.seq;
  if (parent.deleted) return { ...quote, preview: '', deleted: true };
  return quote;
}
