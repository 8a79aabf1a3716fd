/** Pure timeline rules: ordering, de-duplication by (room, seq) and by own clientOffset, day grouping. */
import type { Message, ReplyPreview } from '../../shared/protocol';
import { messageKey, type LocalMessage, type LocalReply } from './models';

/** The server's quote of a parent, as the device keeps it (the parent's key is known once it is on the device). */
export function fromReplyPreview(reply: ReplyPreview): LocalReply {
  if ('deleted' in reply) return { id: reply.id, seq: reply.seq, preview: '', deleted: true };
  return { id: reply.id, seq: reply.seq, author: reply.author, preview: reply.preview };
}

export function fromServer(message: Message): LocalMessage {
  const local: LocalMessage = {
    key: messageKey(message.author.id, message.clientOffset),
    room: message.room,
    clientOffset: message.clientOffset,
    author: message.author,
    content: message.content,
    state: 'sent',
    ts: message.ts,
    id: message.id,
    seq: message.seq,
  };
  if (message.replyTo) local.replyTo = fromReplyPreview(message.replyTo);
  if (message.editedAt !== undefined) local.editedAt = message.editedAt;
  if (message.deleted) local.deleted = true;
  if (message.reactions && Object.keys(message.reactions).length > 0) local.reactions = message.reactions;
  if (message.attachments) local.attachments = message.attachments;
  return local;
}

/** Sent messages in seq order, then unsent ones in the order they were written. */
export function compareTimeline(a: LocalMessage, b: LocalMessage): number {
  if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
  if (a.seq !== undefined) return -1;
  if (b.seq !== undefined) return 1;
  return (a.order ?? a.ts) - (b.order ?? b.ts);
}

export type Merge = {
  timeline: LocalMessage[];
  /** Records that are new or changed and must be written to IndexedDB. */
  changed: LocalMessage[];
};

/** Adds server messages to one room's timeline, never showing a message twice. */
export function mergeServerMessages(timeline: readonly LocalMessage[], incoming: readonly Message[]): Merge {
  const byKey = new Map(timeline.map((message) => [message.key, message]));
  const seqs = new Set<number>();
  for (const message of timeline) if (message.seq !== undefined) seqs.add(message.seq);
  const changed: LocalMessage[] = [];
  for (const message of incoming) {
    if (seqs.has(message.seq)) continue;
    const local = fromServer(message);
    const existing = byKey.get(local.key);
    // The same key with another seq cannot happen on a sane server; keep the first copy.
    if (existing && existing.seq !== undefined) continue;
    byKey.set(local.key, local);
    seqs.add(message.seq);
    changed.push(local);
  }
  if (changed.length === 0) return { timeline: [...timeline], changed };
  return { timeline: [...byKey.values()].sort(compareTimeline), changed };
}

/** Inserts or replaces one local record (pending, failed) by key. */
export function upsertLocal(timeline: readonly LocalMessage[], message: LocalMessage): LocalMessage[] {
  const rest = timeline.filter((item) => item.key !== message.key);
  rest.push(message);
  return rest.sort(compareTimeline);
}

export function removeByKey(timeline: readonly LocalMessage[], key: string): LocalMessage[] {
  return timeline.filter((item) => item.key !== key);
}

export function sameDay(a: number, b: number): boolean {
  const x = new Date(a);
  const y = new Date(b);
  return x.getFullYear() === y.getFullYear() && x.getMonth() === y.getMonth() && x.getDate() === y.getDate();
}

export function dayLabel(ts: number, now: number): string {
  if (sameDay(ts, now)) return 'Today';
  if (sameDay(ts, now - 86_400_000)) return 'Yesterday';
  const date = new Date(ts);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', ...(sameYear ? {} : { year: 'numeric' }) });
}

export function timeLabel(ts: number): string {
  return new Date(ts).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** How close to its bottom a timeline counts as "at the bottom" (and is kept there as it grows). */
export const NEAR_BOTTOM_PX = 48;
