import { describe, expect, it } from 'vitest';
import { CLIENT_OFFSET_PATTERN } from '../../../shared/limits';
import type { Message } from '../../../shared/protocol';
import { SIGNED_OUT_AUTHOR, type ChangeEntry, type LocalMessage, type OutboxEntry, type SendEntry } from '../../../client/logic/models';
import {
  DETACHED,
  backoffMs,
  changeQueued,
  clientOffsetFromBytes,
  queuedSends,
  replyQuote,
  targetOf,
  wireOf,
  inWriteOrder,
  isAuthor,
  nextOrder,
  nextToSend,
  outcomeOf,
  splitByAuthor,
  unsentMessage,
} from '../../../client/logic/outbox-logic';

const entry = (clientOffset: string, order: number, failed = false, authorId = 'u1'): SendEntry => ({
  kind: 'send',
  clientOffset,
  authorId,
  room: 'general',
  content: clientOffset,
  order,
  createdAt: order,
  ...(failed ? { failed: { code: 'too_long', message: 'too long' } } : {}),
});

const message: Message = {
  id: 7,
  room: 'general',
  seq: 3,
  author: { id: 'u1', name: 'Ann' },
  clientOffset: 'a',
  content: 'hi',
  ts: 1,
};

describe('client offsets', () => {
  it('are 22 url-safe characters that the server accepts', () => {
    for (let i = 0; i < 200; i++) {
      const offset = clientOffsetFromBytes(crypto.getRandomValues(new Uint8Array(16)));
      expect(offset).toMatch(CLIENT_OFFSET_PATTERN);
      expect(offset).toHaveLength(22);
    }
  });

  it('differ for different bytes', () => {
    expect(clientOffsetFromBytes(new Uint8Array(16))).not.toBe(clientOffsetFromBytes(new Uint8Array(16).fill(255)));
  });
});

describe('send order', () => {
  it('sends the oldest written entry first, whatever the storage order', () => {
    const entries = [entry('c', 30), entry('a', 10), entry('b', 20)];
    expect(nextToSend(entries, 'u1')?.clientOffset).toBe('a');
    expect(inWriteOrder(entries).map((item) => item.clientOffset)).toEqual(['a', 'b', 'c']);
  });

  it('skips failed entries, which wait for the user', () => {
    expect(nextToSend([entry('a', 10, true), entry('b', 20)], 'u1')?.clientOffset).toBe('b');
    expect(nextToSend([entry('a', 10, true)], 'u1')).toBeUndefined();
  });

  it('gives a new entry an order after every existing one, even if the clock went back', () => {
    expect(nextOrder([], 1000)).toBe(1000);
    expect(nextOrder([entry('a', 5000)], 1000)).toBe(5001);
  });
});

describe('whose entries are sent', () => {
  it('sends only entries written by the signed-in person, never one of a session that ended', () => {
    const entries = [entry('old', 10, false, 'u0'), entry('mine', 20, false, 'u1'), entry('older', 5, false, 'u0')];
    expect(nextToSend(entries, 'u1')?.clientOffset).toBe('mine');
    expect(nextToSend(entries, 'u0')?.clientOffset).toBe('older');
    expect(nextToSend(entries, 'u2')).toBeUndefined();
  });

  it('sends nothing written under a session that ended before entries named their author', () => {
    const orphan = entry('orphan', 10, false, SIGNED_OUT_AUTHOR);
    expect(isAuthor(orphan, SIGNED_OUT_AUTHOR)).toBe(false);
    expect(nextToSend([orphan], SIGNED_OUT_AUTHOR)).toBeUndefined();
    expect(nextToSend([orphan], 'u1')).toBeUndefined();
  });

  it('treats an entry without an author (never written by this version) as nobody’s', () => {
    const { authorId: _dropped, ...legacy } = entry('legacy', 10);
    expect(nextToSend([legacy as OutboxEntry], 'u1')).toBeUndefined();
  });

  it('splits the outbox into ours and the inert rest, each in write order', () => {
    const entries = [entry('b', 20, true, 'u1'), entry('x', 15, false, 'u0'), entry('a', 10, false, 'u1')];
    const split = splitByAuthor(entries, 'u1');
    expect(split.own.map((item) => item.clientOffset)).toEqual(['a', 'b']);
    expect(split.signedOut.map((item) => item.clientOffset)).toEqual(['x']);
    expect(splitByAuthor(entries, undefined).signedOut).toHaveLength(3);
  });
});

describe('what an answer means', () => {
  it('ok: the message is sent', () => {
    expect(outcomeOf({ kind: 'answer', answer: { ok: true, message } }, 0, 0)).toEqual({ kind: 'sent', message });
  });

  it.each(['invalid', 'too_long', 'forbidden'] as const)('%s: failed for good, the user decides', (code) => {
    const outcome = outcomeOf({ kind: 'answer', answer: { ok: false, error: { code, message: 'no' } } }, 0, 0);
    expect(outcome).toEqual({ kind: 'failed', error: { code, message: 'no' } });
  });

  it('rate_limited: waits at least retryAfterMs and keeps the entry pending', () => {
    const outcome = outcomeOf(
      { kind: 'answer', answer: { ok: false, error: { code: 'rate_limited', message: 'slow', retryAfterMs: 4000 } } },
      0,
      0,
    );
    expect(outcome).toEqual({ kind: 'retry', delayMs: 4000, suspectSocket: false });
  });

  it('unavailable: retries with backoff, the socket is fine', () => {
    const outcome = outcomeOf({ kind: 'answer', answer: { ok: false, error: { code: 'unavailable', message: 'db' } } }, 2, 0);
    expect(outcome).toEqual({ kind: 'retry', delayMs: backoffMs(2, 0), suspectSocket: false });
  });

  it('timeout: retries and suspects a dead socket', () => {
    expect(outcomeOf({ kind: 'timeout' }, 0, 0.5)).toMatchObject({ kind: 'retry', suspectSocket: true });
  });

  it('disconnect: waits for the next connect to replay', () => {
    expect(outcomeOf({ kind: 'disconnected' }, 0, 0)).toEqual({ kind: 'wait-for-connect' });
  });
});

describe('backoff', () => {
  it('grows with attempts and is capped at 30 s', () => {
    expect(backoffMs(0, 0)).toBe(250);
    expect(backoffMs(3, 0)).toBe(2000);
    expect(backoffMs(3, 0.999)).toBeLessThanOrEqual(4000);
    expect(backoffMs(20, 0.999)).toBeLessThanOrEqual(30_000);
    expect(backoffMs(20, 0)).toBe(15_000);
  });
});

describe('unsent messages on the timeline', () => {
  it('carry the server idempotency key and the outbox order', () => {
    expect(unsentMessage(entry('abc', 42), { id: 'u1', name: 'Ann' })).toEqual({
      key: 'u1/abc',
      room: 'general',
      clientOffset: 'abc',
      author: { id: 'u1', name: 'Ann' },
      content: 'abc',
      state: 'pending',
      ts: 42,
      order: 42,
    });
  });

  it('show a refusal as failed, with its reason', () => {
    expect(unsentMessage(entry('abc', 42, true), { id: 'u1', name: 'Ann' })).toMatchObject({
      state: 'failed',
      error: { code: 'too_long' },
    });
  });

  it('are plain copies, never sharing the author object', () => {
    const user = { id: 'u1', name: 'Ann' };
    expect(unsentMessage(entry('abc', 42), user).author).not.toBe(user);
  });
});

const change = (clientOffset: string, order: number, target: string | number, extra: Partial<ChangeEntry> = {}): OutboxEntry =>
  ({
    kind: 'react',
    clientOffset,
    authorId: 'u1',
    room: 'general',
    target,
    targetKey: `u1/${String(target)}`,
    emoji: '👍',
    on: true,
    order,
    createdAt: order,
    ...extra,
  }) as OutboxEntry;

const replyTo = (parent: string, order: number, clientOffset = `reply-${order}`): SendEntry => ({
  ...entry(clientOffset, order),
  replyTo: { target: parent, preview: { key: `u1/${parent}`, preview: 'old text' } },
});

describe('operations in the outbox', () => {
  it('go out as their own events, with the same clientOffset every time', () => {
    expect(wireOf(entry('a', 1))).toEqual({ event: 'message:send', payload: { room: 'general', clientOffset: 'a', content: 'a' } });
    expect(wireOf(replyTo('a', 2, 'b')).payload).toMatchObject({ replyTo: 'a' });
    expect(wireOf(change('c', 3, 7))).toEqual({
      event: 'reaction:set',
      payload: { room: 'general', clientOffset: 'c', target: 7, emoji: '👍', on: true },
    });
    expect(wireOf(change('d', 4, 7, { kind: 'edit', content: 'new' } as Partial<ChangeEntry>))).toEqual({
      event: 'message:edit',
      payload: { room: 'general', clientOffset: 'd', target: 7, content: 'new' },
    });
    expect(wireOf(change('e', 5, 'a', { kind: 'delete' } as Partial<ChangeEntry>))).toEqual({
      event: 'message:delete',
      payload: { room: 'general', clientOffset: 'e', target: 'a' },
    });
  });

  it('wait behind a failed parent, while others go on', () => {
    const failedParent = entry('parent', 1, true);
    const queued = [failedParent, change('react-on-parent', 2, 'parent'), replyTo('parent', 3), entry('unrelated', 4)];
    expect(nextToSend(queued, 'u1')?.clientOffset).toBe('unrelated');
    // Once the parent is retried (no longer failed), its changes follow it in order.
    expect(nextToSend([entry('parent', 1), ...queued.slice(1)], 'u1')?.clientOffset).toBe('parent');
  });

  it('name a message by id once the server has it, else by our clientOffset', () => {
    expect(targetOf({ id: 12, clientOffset: 'x' })).toBe(12);
    expect(targetOf({ clientOffset: 'x' })).toBe('x');
  });

  it('count only sends as unsent messages', () => {
    expect(queuedSends([entry('a', 1), change('b', 2, 'a')]).map((item) => item.clientOffset)).toEqual(['a']);
  });
});

describe('changing a message still in the outbox', () => {
  it('rewrites the queued send for an edit, and the quotes of replies queued to it', () => {
    const queued = [entry('parent', 1), replyTo('parent', 2), change('r', 3, 'parent')];
    const plan = changeQueued(queued, 'parent', { kind: 'edit', content: 'fixed text' });
    expect(plan?.remove).toEqual([]);
    expect(plan?.rewrite).toEqual([
      { ...entry('parent', 1), content: 'fixed text' },
      { ...replyTo('parent', 2), replyTo: { target: 'parent', preview: { key: 'u1/parent', preview: 'fixed text' } } },
    ]);
  });

  it('takes a deleted send out with the changes queued on it; its replies go as plain messages quoting a deleted one', () => {
    const queued = [entry('parent', 1), change('r', 2, 'parent'), replyTo('parent', 3), entry('other', 4), change('o', 5, 'other')];
    const plan = changeQueued(queued, 'parent', { kind: 'delete' });
    expect(plan?.remove.map((item) => item.clientOffset)).toEqual(['parent', 'r']);
    expect(plan?.rewrite).toEqual([
      { ...replyTo('parent', 3), replyTo: { target: DETACHED, preview: { key: 'u1/parent', preview: '', deleted: true } } },
    ]);
    const detached = plan?.rewrite[0];
    if (!detached) throw new Error('no rewrite');
    expect(wireOf(detached).payload).not.toHaveProperty('replyTo');
  });

  it('does nothing for a message the server already has (a change is queued instead)', () => {
    expect(changeQueued([entry('other', 1)], 'sent-one', { kind: 'delete' })).toBeUndefined();
  });
});

describe('a reply quote', () => {
  const parent: LocalMessage = {
    key: 'u2/p',
    room: 'general',
    clientOffset: 'p',
    author: { id: 'u2', name: 'Bo' },
    content: 'first line\nsecond line',
    state: 'sent',
    ts: 1,
    id: 4,
    seq: 2,
  };

  it('is the first line of the parent, its author, and where to find it', () => {
    expect(replyQuote(parent)).toEqual({ key: 'u2/p', id: 4, seq: 2, author: { id: 'u2', name: 'Bo' }, preview: 'first line' });
  });

  it('of a deleted parent says so, and keeps none of its text', () => {
    expect(replyQuote({ ...parent, content: '', deleted: true })).toMatchObject({ preview: '', deleted: true });
  });
});
