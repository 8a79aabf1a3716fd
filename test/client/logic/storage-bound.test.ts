import { describe, expect, it } from 'vitest';
import type { LocalMessage } from '../../../client/logic/models';
import {
  DEFAULT_ROOM_MESSAGE_LIMIT,
  evictionsFor,
  formatBytes,
  roomMessageLimit,
  storageUsedText,
} from '../../../client/logic/storage-bound';

const author = { id: 'u1', name: 'Ann' };
const sent = (seq: number): LocalMessage => ({
  key: `u1/s${seq}`,
  room: 'general',
  clientOffset: `s${seq}`,
  author,
  content: `m${seq}`,
  state: 'sent',
  ts: seq,
  id: seq,
  seq,
});
const unsent = (name: string, state: 'pending' | 'failed'): LocalMessage => ({
  key: `u1/${name}`,
  room: 'general',
  clientOffset: name,
  author,
  content: name,
  state,
  ts: 0,
  order: 1,
});

describe('the per-room storage bound', () => {
  it('evicts the oldest sent messages beyond the limit, whatever their order', () => {
    const timeline = [sent(5), sent(1), sent(4), sent(2), sent(3)];
    expect(evictionsFor(timeline, 3)).toEqual(['u1/s1', 'u1/s2']);
    expect(evictionsFor(timeline, 5)).toEqual([]);
  });

  it('never evicts, nor counts, a pending or failed message', () => {
    const timeline = [sent(1), sent(2), unsent('p', 'pending'), unsent('f', 'failed')];
    expect(evictionsFor(timeline, 1)).toEqual(['u1/s1']);
    expect(evictionsFor(timeline, 2)).toEqual([]);
    expect(evictionsFor([unsent('p', 'pending')], 0)).toEqual([]);
  });

  it('reads the configured limit, falling back to the default for anything but a positive whole number', () => {
    expect(roomMessageLimit('250')).toBe(250);
    for (const bad of [undefined, '', '0', '-5', '2.5', 'many']) expect(roomMessageLimit(bad)).toBe(DEFAULT_ROOM_MESSAGE_LIMIT);
  });
});

describe('storage used, in words', () => {
  it('says bytes, KB, MB and GB, with the quota when the browser tells it', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3.2 * 1024 * 1024)).toBe('3.2 MB');
    expect(formatBytes(40 * 1024 * 1024)).toBe('40 MB');
    expect(storageUsedText(3.2 * 1024 * 1024, 2 * 1024 ** 3)).toBe('3.2 MB of 2.0 GB');
    expect(storageUsedText(2048, undefined)).toBe('2.0 KB');
  });
});
