import { describe, expect, it } from 'vitest';
import type { MessageChange } from '../../../shared/protocol';
import {
  acceptChanges,
  applyChange,
  applyToReply,
  reactionChips,
  receiptSummary,
  revCursorsOf,
  settleRevs,
  tickOf,
  toggledReaction,
  withQueued,
  type RevProgress,
} from '../../../client/logic/change-logic';
import type { ChangeEntry, LocalMessage } from '../../../client/logic/models';

const ann = { id: 'u1', name: 'Ann' };
const bo = { id: 'u2', name: 'Bo' };

const message: LocalMessage = {
  key: 'u1/a',
  room: 'general',
  clientOffset: 'a',
  author: ann,
  content: 'hello',
  state: 'sent',
  ts: 1,
  id: 10,
  seq: 3,
};

const change = (rev: number, extra: Partial<MessageChange> = {}): MessageChange => ({
  room: 'general',
  rev,
  kind: 'react',
  target: 10,
  targetSeq: 3,
  by: bo,
  clientOffset: `c${rev}`,
  ts: 100 + rev,
  emoji: '👍',
  on: true,
  ...extra,
});

describe('applying a change to a stored message', () => {
  it('edits the text and marks it edited', () => {
    expect(applyChange(message, change(1, { kind: 'edit', content: 'hello!', by: ann }))).toMatchObject({
      content: 'hello!',
      editedAt: 101,
    });
  });

  it('deletes: no text, no reactions, and an old edit replayed after it brings nothing back', () => {
    const reacted = applyChange(message, change(1));
    const deleted = applyChange(reacted, change(2, { kind: 'delete', by: ann }));
    expect(deleted).toMatchObject({ content: '', deleted: true });
    expect(deleted.reactions).toBeUndefined();
    expect(applyChange(deleted, change(1, { kind: 'edit', content: 'back?', by: ann }))).toBe(deleted);
    expect(applyChange(deleted, change(3))).toBe(deleted);
  });

  it('sets reactions idempotently and drops an emoji nobody uses any more', () => {
    const once = applyChange(message, change(1));
    expect(applyChange(once, change(2)).reactions).toEqual({ '👍': ['u2'] });
    expect(applyChange(once, change(3, { on: false })).reactions).toBeUndefined();
    expect(toggledReaction({ '👍': ['u2'] }, '👍', 'u1', true)).toEqual({ '👍': ['u2', 'u1'] });
  });

  it('keeps reactions in a plain object, whatever the emoji is called', () => {
    const reactions = toggledReaction(undefined, '__proto__', 'u1', true);
    expect(Object.keys(reactions ?? {})).toEqual(['__proto__']);
  });

  it('updates the quote of a reply: the new first line, or "deleted"', () => {
    const reply = { key: 'u1/a', id: 10, seq: 3, author: ann, preview: 'hello' };
    expect(applyToReply(reply, { kind: 'edit', content: 'new first\nsecond' })).toEqual({ ...reply, preview: 'new first' });
    expect(applyToReply(reply, { kind: 'delete' })).toEqual({ key: 'u1/a', id: 10, seq: 3, preview: '', deleted: true });
    expect(applyToReply(reply, { kind: 'react' })).toBe(reply);
  });
});

describe('the rev cursor: every change once, in order, gaps noticed', () => {
  const start = new Map<string, RevProgress>([['general', { rev: 4, held: new Map() }]]);

  it('takes the next rev and drops one already applied', () => {
    const accepted = acceptChanges(start, [change(4), change(5), change(5)]);
    expect(accepted.ready.map((item) => item.rev)).toEqual([5]);
    expect(accepted.changed).toEqual({ general: 5 });
    expect(accepted.gap).toBe(false);
  });

  it('holds a rev beyond a hole, says so, and releases the run once the hole is filled', () => {
    const held = acceptChanges(start, [change(7), change(6)]);
    expect(held.ready).toEqual([]);
    expect(held.gap).toBe(true);
    expect(held.changed).toEqual({});
    const filled = acceptChanges(held.revs, [change(5)]);
    expect(filled.ready.map((item) => item.rev)).toEqual([5, 6, 7]);
    expect(filled.gap).toBe(false);
    expect(revCursorsOf(filled.revs)).toEqual({ general: 7 });
  });

  it('starts a room it has no cursor for at its first change', () => {
    const accepted = acceptChanges(new Map(), [change(9, { room: 'dm:u1:u2' })]);
    expect(accepted.ready.map((item) => item.rev)).toEqual([9]);
    expect(accepted.changed).toEqual({ 'dm:u1:u2': 9 });
  });

  it('after a catch-up starts new rooms at the last rev, and notices a room left behind', () => {
    const settled = settleRevs(start, { general: 4, other: 12 });
    expect(revCursorsOf(settled.revs)).toEqual({ general: 4, other: 12 });
    expect(settled.changed).toEqual({ other: 12 });
    expect(settled.gap).toBe(false);
    expect(settleRevs(start, { general: 6 }).gap).toBe(true);
  });
});

describe('what the person sees', () => {
  it('our queued changes on top of the server state, in the order made', () => {
    const queued: ChangeEntry[] = [
      {
        kind: 'react',
        clientOffset: 'q1',
        authorId: 'u1',
        room: 'general',
        target: 10,
        targetKey: 'u1/a',
        emoji: '🎉',
        on: true,
        order: 1,
        createdAt: 5,
      },
      {
        kind: 'edit',
        clientOffset: 'q2',
        authorId: 'u1',
        room: 'general',
        target: 10,
        targetKey: 'u1/a',
        content: 'fixed',
        order: 2,
        createdAt: 6,
      },
    ];
    expect(withQueued(message, queued, ann)).toMatchObject({ content: 'fixed', editedAt: 6, reactions: { '🎉': ['u1'] } });
    expect(message.content).toBe('hello');
  });

  it('chips with counts and labels that say whether we reacted', () => {
    expect(reactionChips({ '👍': ['u2', 'u1'], '😂': ['u2'] }, 'u1')).toEqual([
      { emoji: '👍', count: 2, mine: true, label: '👍 2, you reacted' },
      { emoji: '😂', count: 1, mine: false, label: '😂 1' },
    ]);
  });

  it('ticks: clock in the outbox, ✓ stored, ✓✓ on the other device, read', () => {
    expect(tickOf({ state: 'pending' }, undefined)).toBe('clock');
    expect(tickOf({ state: 'failed' }, undefined)).toBeUndefined();
    expect(tickOf({ state: 'sent', seq: 5 }, undefined)).toBe('sent');
    expect(tickOf({ state: 'sent', seq: 5 }, { deliveredSeq: 4, readSeq: 0 })).toBe('sent');
    expect(tickOf({ state: 'sent', seq: 5 }, { deliveredSeq: 5, readSeq: 4 })).toBe('delivered');
    expect(tickOf({ state: 'sent', seq: 5 }, { deliveredSeq: 5, readSeq: 9 })).toBe('read');
  });

  it('"Delivered to N of M · Read by N" counts the other members only', () => {
    expect(receiptSummary({ members: 4, delivered: 3, read: 2 }, true)).toBe('Delivered to 2 of 3 · Read by 1');
    expect(receiptSummary({ members: 4, delivered: 3, read: 2 }, false)).toBe('Delivered to 2 of 3 · Read by 2');
    expect(receiptSummary({ members: 1, delivered: 0, read: 0 }, true)).toBe('Delivered to 0 of 0 · Read by 0');
  });
});
