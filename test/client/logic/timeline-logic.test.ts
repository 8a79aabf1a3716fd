import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import type { LocalMessage } from '../../../client/logic/models';
import { dayLabel, mergeServerMessages, upsertLocal } from '../../../client/logic/timeline-logic';

const ann = { id: 'ann', name: 'Ann' };
const bob = { id: 'bob', name: 'Bob' };
const server = (seq: number, author = bob, clientOffset = `b${seq}`): Message => ({
  id: seq * 10,
  room: 'general',
  seq,
  author,
  clientOffset,
  content: `m${seq}`,
  ts: 1_000 + seq,
});
const pending = (clientOffset: string, order: number): LocalMessage => ({
  key: `ann/${clientOffset}`,
  room: 'general',
  clientOffset,
  author: ann,
  content: clientOffset,
  state: 'pending',
  ts: order,
  order,
});

describe('timeline merge', () => {
  it('never shows the same (room, seq) twice', () => {
    const first = mergeServerMessages([], [server(1), server(2)]);
    const again = mergeServerMessages(first.timeline, [server(2), server(1), server(3)]);
    expect(again.timeline.map((message) => message.seq)).toEqual([1, 2, 3]);
    expect(again.changed.map((message) => message.seq)).toEqual([3]);
  });

  it('turns our pending message into the sent one by clientOffset, in place of a second copy', () => {
    const timeline = [pending('x', 5)];
    const merged = mergeServerMessages(timeline, [server(1, ann, 'x')]);
    expect(merged.timeline).toHaveLength(1);
    expect(merged.timeline[0]).toMatchObject({ state: 'sent', seq: 1, key: 'ann/x' });
  });

  it('orders sent by seq and keeps unsent after them in write order', () => {
    let timeline = mergeServerMessages([], [server(2), server(1)]).timeline;
    timeline = upsertLocal(timeline, pending('late', 20));
    timeline = upsertLocal(timeline, pending('early', 10));
    timeline = mergeServerMessages(timeline, [server(3)]).timeline;
    expect(timeline.map((message) => message.seq ?? message.clientOffset)).toEqual([1, 2, 3, 'early', 'late']);
  });

  it('labels today and yesterday', () => {
    const now = new Date(2026, 10, 25, 12).getTime();
    expect(dayLabel(now - 3_600_000, now)).toBe('Today');
    expect(dayLabel(now - 86_400_000, now)).toBe('Yesterday');
    expect(dayLabel(now - 5 * 86_400_000, now)).not.toBe('Yesterday');
  });
});
