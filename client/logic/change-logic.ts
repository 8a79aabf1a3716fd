/**
 * Pure rules for a message's later life: applying an edit, delete or reaction to a stored record (and to
 * the replies that quote it), the per-room rev cursor that takes each change exactly once and notices a
 * gap, and how our own queued operations show before the server has them.
 */
import type { Cursors, MessageChange, RoomId, User } from '../../shared/protocol';
import { replyPreviewText } from '../../shared/reply-preview';
import type { ChangeEntry, LocalMessage, LocalReply } from './models';

/**
 * One change applied to one record. A deleted message stays deleted: catch-up replays every change after
 * the cursor over messages that may already show later ones, and an old edit must not bring text back.
 */
export function applyChange(
  message: LocalMessage,
  change: Pick<MessageChange, 'kind' | 'by' | 'ts' | 'content' | 'emoji' | 'on'>,
): LocalMessage {
  if (message.deleted) return message;
  if (change.kind === 'delete') {
    const { reactions: _reactions, editedAt: _editedAt, ...rest } = message;
    return { ...rest, content: '', deleted: true };
  }
  if (change.kind === 'edit') return { ...message, content: change.content ?? '', editedAt: change.ts };
  if (change.emoji === undefined) return message;
  return { ...message, reactions: toggledReaction(message.reactions, change.emoji, change.by.id, change.on === true) };
}

/** A reaction set (idempotent: on twice is one reaction) or unset; an emoji nobody uses any more disappears. */
export function toggledReaction(
  reactions: Readonly<Record<string, string[]>> | undefined,
  emoji: string,
  userId: string,
  on: boolean,
): Record<string, string[]> | undefined {
  const next: Record<string, string[]> = Object.create(null);
  for (const [key, users] of Object.entries(reactions ?? {})) next[key] = [...users];
  const users = (next[emoji] ?? []).filter((id) => id !== userId);
  if (on) users.push(userId);
  if (users.length > 0) next[emoji] = users;
  else delete next[emoji];
  return Object.keys(next).length > 0 ? { ...next } : undefined;
}

/** A reply quoting the changed parent shows its new first line, or that it was deleted. */
export function applyToReply(reply: LocalReply, change: Pick<MessageChange, 'kind' | 'content'>): LocalReply {
  if (reply.deleted || change.kind === 'react') return reply;
  if (change.kind === 'delete')
    return { ...(reply.key ? { key: reply.key } : {}), id: reply.id, seq: reply.seq, preview: '', deleted: true };
  return { ...reply, preview: replyPreviewText(change.content ?? '') };
}

/** One room's change cursor: every rev up to `rev` is applied; `held` are later ones waiting for a gap to fill. */
export type RevProgress = { rev: number; held: ReadonlyMap<number, MessageChange> };

export type Accepted = {
  revs: Map<RoomId, RevProgress>;
  /** Changes to apply now, in rev order. */
  ready: MessageChange[];
  /** Rooms whose cursor moved, with the new cursor (to store). */
  changed: Cursors;
  /** Some room holds a rev beyond a hole: ask `sync` with the rev cursors. */
  gap: boolean;
};

/**
 * Takes changes (live, catch-up, or an ack) through each room's rev cursor: one at or below it was applied
 * already and is dropped, the next one and any held run after it are ready, and one beyond a hole is held.
 * A room we have no cursor for (joined since the last catch-up) starts just before its first change.
 */
export function acceptChanges(revs: ReadonlyMap<RoomId, RevProgress>, changes: readonly MessageChange[]): Accepted {
  const next = new Map(revs);
  const ready: MessageChange[] = [];
  const changed: Cursors = {};
  for (const change of changes) {
    const current = next.get(change.room) ?? { rev: change.rev - 1, held: new Map<number, MessageChange>() };
    if (change.rev <= current.rev || current.held.has(change.rev)) continue;
    const held = new Map(current.held);
    held.set(change.rev, change);
    let rev = current.rev;
    for (let following = held.get(rev + 1); following; following = held.get(rev + 1)) {
      ready.push(following);
      held.delete(++rev);
    }
    next.set(change.room, { rev, held });
    if (rev !== current.rev || !revs.has(change.room)) changed[change.room] = rev;
  }
  const gap = [...next.values()].some((room) => room.held.size > 0);
  return { revs: next, ready, changed, gap };
}

/**
 * After a catch-up (`sync:done` or the `sync` ack): a room without a cursor starts at the server's last rev
 * (the messages it got are already as changed); a room whose cursor is still behind it missed something.
 */
export function settleRevs(revs: ReadonlyMap<RoomId, RevProgress>, lastRev: Readonly<Record<RoomId, number>>): Accepted {
  const next = new Map(revs);
  const changed: Cursors = {};
  let behind = false;
  for (const [room, last] of Object.entries(lastRev)) {
    const current = next.get(room);
    if (!current) {
      next.set(room, { rev: last, held: new Map() });
      changed[room] = last;
    } else if (current.rev < last) behind = true;
  }
  const gap = behind || [...next.values()].some((room) => room.held.size > 0);
  return { revs: next, ready: [], changed, gap };
}

export function revCursorsOf(revs: ReadonlyMap<RoomId, RevProgress>): Cursors {
  const cursors: Cursors = {};
  for (const [room, { rev }] of revs) cursors[room] = rev;
  return cursors;
}

/** Our queued change as the change the server will make of it (for showing it before the server has it). */
export function asChange(entry: ChangeEntry, me: User): Pick<MessageChange, 'kind' | 'by' | 'ts' | 'content' | 'emoji' | 'on'> {
  if (entry.kind === 'edit') return { kind: 'edit', by: me, ts: entry.createdAt, content: entry.content };
  if (entry.kind === 'delete') return { kind: 'delete', by: me, ts: entry.createdAt };
  return { kind: 'react', by: me, ts: entry.createdAt, emoji: entry.emoji, on: entry.on };
}

/** A record as the person sees it: the server's state with their queued changes on top, in the order they made them. */
export function withQueued(message: LocalMessage, queued: readonly ChangeEntry[], me: User): LocalMessage {
  return queued.reduce((shown, entry) => applyChange(shown, asChange(entry, me)), message);
}

export type ReactionChip = { emoji: string; count: number; mine: boolean; label: string };

/** The chips under a message, in the order the emoji were first used; labelled for screen readers ("👍 2, you reacted"). */
export function reactionChips(reactions: Readonly<Record<string, string[]>> | undefined, myId: string): ReactionChip[] {
  return Object.entries(reactions ?? {}).map(([emoji, users]) => {
    const mine = users.includes(myId);
    return { emoji, count: users.length, mine, label: `${emoji} ${users.length}${mine ? ', you reacted' : ''}` };
  });
}

/** How far one of our messages got: queued on the device, stored by the server, on every other member's device, read by them. */
export type Tick = 'clock' | 'sent' | 'delivered' | 'read';

export type PeerReceipt = { deliveredSeq: number; readSeq: number };

/** Ticks from cursors (no per-message receipts): in a DM the other person's; in a larger room only ✓ (details on demand). */
export function tickOf(message: Pick<LocalMessage, 'state' | 'seq'>, peer: PeerReceipt | undefined): Tick | undefined {
  if (message.state === 'pending') return 'clock';
  if (message.state !== 'sent' || message.seq === undefined) return undefined;
  if (peer && peer.readSeq >= message.seq) return 'read';
  if (peer && peer.deliveredSeq >= message.seq) return 'delivered';
  return 'sent';
}

export const TICK_LABELS: Record<Tick, string> = {
  clock: 'Waiting to send',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
};

/**
 * "Delivered to 3 of 4 · Read by 1" for the other members: the server's counts include the author, who holds
 * the message and, when `authorCountsAsReader` (they share read receipts and have read that far), read it.
 */
export function receiptSummary(counts: { members: number; delivered: number; read: number }, authorCountsAsReader: boolean): string {
  const others = Math.max(0, counts.members - 1);
  const delivered = Math.min(others, Math.max(0, counts.delivered - 1));
  const read = Math.min(others, Math.max(0, counts.read - (authorCountsAsReader ? 1 : 0)));
  return `Delivered to ${delivered} of ${others} · Read by ${read}`;
}

/** The six reactions offered first, before the full picker. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;
