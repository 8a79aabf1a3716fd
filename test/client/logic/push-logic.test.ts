import { describe, expect, it } from 'vitest';
import {
  lonePushedRoom,
  notificationText,
  readOpenRoom,
  readPushPayload,
  roomsAfterMessage,
  roomsAfterRead,
  unreadTotal,
} from '../../../client/logic/push-logic';
import type { RoomEntry } from '../../../client/logic/room-logic';

const message = { id: 7, room: 'design', seq: 5, author: { id: 'a', name: 'Ana' }, clientOffset: 'c1', content: 'hello', ts: 1 };

describe('push logic', () => {
  it('reads the payloads the server sends and ignores anything else', () => {
    expect(readPushPayload({ kind: 'message', message, complete: true, mention: false })).toEqual({
      kind: 'message',
      message,
      complete: true,
      mention: false,
    });
    expect(readPushPayload({ kind: 'read', room: 'design', seq: 4 })).toEqual({ kind: 'read', room: 'design', seq: 4 });
    for (const bad of [
      null,
      'x',
      { kind: 'message' },
      { kind: 'message', message: { ...message, seq: -1 } },
      { kind: 'read', room: 1, seq: 1 },
      { kind: 'other' },
    ])
      expect(readPushPayload(bad)).toBeNull();
  });

  it('counts what waits per room and in all, and words the notification', () => {
    const rooms: RoomEntry[] = [
      { id: 'design', lastSeq: 3, readSeq: 3, kind: 'public' },
      { id: 'general', lastSeq: 10, readSeq: 8, kind: 'public' },
    ];
    const one = roomsAfterMessage(rooms, 'design', 4);
    expect(unreadTotal(one)).toBe(3);
    expect(notificationText(one[0], { kind: 'message', message: { ...message, seq: 4 }, complete: true, mention: false })).toEqual({
      title: '#design',
      body: 'Ana: hello',
    });
    const three = roomsAfterMessage(one, 'design', 6);
    expect(notificationText(three[0], { kind: 'message', message, complete: true, mention: false }).title).toBe(
      '3 new messages in #design',
    );
    expect(unreadTotal(roomsAfterRead(three, 'design', 6))).toBe(2);
    // A room the device did not list yet comes in unread.
    expect(roomsAfterMessage(rooms, 'new-room', 2).at(-1)).toEqual({ id: 'new-room', lastSeq: 2, readSeq: 0, kind: 'public' });
  });

  it('words a message alone when the rooms list could not be read (the one message, not a count)', () => {
    const pushed = { kind: 'message', message, complete: true, mention: false } as const;
    expect(notificationText(lonePushedRoom('design', 5), pushed)).toEqual({ title: '#design', body: 'Ana: hello' });
    expect(lonePushedRoom('dm:a:b', 3)).toMatchObject({ kind: 'dm', lastSeq: 3, readSeq: 2 });
    expect(notificationText(lonePushedRoom('dm:a:b', 5), { ...pushed, message: { ...message, room: 'dm:a:b' } }).title).toBe('Ana');
  });

  it("reads the service worker's OPEN_ROOM after a tap, and nothing else", () => {
    expect(readOpenRoom({ type: 'OPEN_ROOM', room: 'design', seq: 12 })).toEqual({ room: 'design', seq: 12 });
    expect(readOpenRoom({ type: 'OPEN_ROOM', room: 'design' })).toEqual({ room: 'design', seq: 0 });
    expect(readOpenRoom({ type: 'OPEN_ROOM', room: 'design', seq: -1 })).toEqual({ room: 'design', seq: 0 });
    expect(readOpenRoom({ type: 'SKIP_WAITING' })).toBeNull();
    expect(readOpenRoom({ type: 'OPEN_ROOM', room: 7 })).toBeNull();
    expect(readOpenRoom('OPEN_ROOM')).toBeNull();
  });
});
