import { describe, expect, it } from 'vitest';
import { CLIENT_OFFSET_PATTERN } from '../../../shared/limits';
import type { Message } from '../../../shared/protocol';
import { SIGNED_OUT_AUTHOR, type OutboxEntry } from '../../../client/logic/models';
import {
  backoffMs,
  clientOffsetFromBytes,
  inWriteOrder,
  isAuthor,
  nextOrder,
  nextToSend,
  outcomeOf,
  splitByAuthor,
  unsentMessage,
} from '../../../client/logic/outbox-logic';

const entry = (clientOffset: string, order: number, failed = false, authorId = 'u1'): OutboxEntry => ({
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
