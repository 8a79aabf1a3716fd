import { describe, expect, it } from 'vitest';
import type { RoomListing } from '../../../shared/protocol';
import {
  checkRoomName,
  dmPeerId,
  mergeListing,
  noteSeq,
  renamePeers,
  roomName,
  roomTitle,
  sortRooms,
  unreadCount,
  type RoomEntry,
} from '../../../client/logic/room-logic';

const bob = { id: 'bob', name: 'Bob' };
const general: RoomEntry = { id: 'general', kind: 'public', lastSeq: 5, readSeq: 5 };
const dm: RoomEntry = { id: 'dm:ann:bob', kind: 'dm', lastSeq: 2, readSeq: 0, peer: bob };

describe('room names', () => {
  it('names a DM after the other person, a public room by its slug', () => {
    expect(roomName(dm)).toBe('Bob');
    expect(roomName(general)).toBe('general');
    expect(roomName({ id: 'dm:ann:bob' })).toBe('Direct message');
    expect(roomTitle(general)).toEqual([{ text: '# general' }]);
    expect(roomTitle(dm)).toEqual([{ text: '@ ' }, { text: 'Bob', person: true }]);
    expect(roomTitle({ id: 'dm:ann:bob' })).toEqual([{ text: '@ Direct message' }]);
  });

  it('finds the peer of a DM from its id, whichever side we are', () => {
    expect(dmPeerId('dm:ann:bob', 'ann')).toBe('bob');
    expect(dmPeerId('dm:ann:bob', 'bob')).toBe('ann');
    expect(dmPeerId('general', 'ann')).toBeUndefined();
  });
});

describe('unread counts', () => {
  it('counts messages after the read cursor, never below zero', () => {
    expect(unreadCount(10, 7, [])).toBe(3);
    expect(unreadCount(3, 7, [])).toBe(0);
  });

  it('does not count our own messages as unread', () => {
    expect(unreadCount(10, 7, [8, 10, 2])).toBe(1);
  });
});

describe('joining by name', () => {
  it('turns what people type into the shared slug', () => {
    expect(checkRoomName('  #Book Club ')).toEqual({ ok: true, room: 'book-club' });
    expect(checkRoomName('rust-2026')).toEqual({ ok: true, room: 'rust-2026' });
  });

  it('says clearly why a name is refused', () => {
    expect(checkRoomName('   ')).toEqual({ ok: false, message: 'Enter a room name.' });
    expect(checkRoomName('no_underscores')).toEqual({ ok: false, message: 'Use only letters a–z, digits and hyphens (-).' });
    expect(checkRoomName('x'.repeat(33))).toEqual({ ok: false, message: 'Room names are at most 32 characters.' });
    expect(checkRoomName('dm:ann:bob').ok).toBe(false);
  });
});

describe('the rooms list', () => {
  it('puts general first, then public rooms, then DMs by name', () => {
    const rooms: RoomEntry[] = [
      dm,
      { id: 'zebra', kind: 'public', lastSeq: 0, readSeq: 0 },
      general,
      { id: 'apple', kind: 'public', lastSeq: 0, readSeq: 0 },
    ];
    expect(sortRooms(rooms).map((room) => room.id)).toEqual(['general', 'apple', 'zebra', 'dm:ann:bob']);
  });

  it('takes membership from the server but keeps a read cursor that is ahead, to tell the server', () => {
    const server: RoomListing[] = [
      { id: 'general', lastSeq: 6, readSeq: 3, unread: 3, kind: 'public' },
      { id: 'dm:ann:bob', lastSeq: 2, readSeq: 0, unread: 2, kind: 'dm', peer: { id: 'bob', name: 'Bobby' } },
    ];
    const local: RoomEntry[] = [general, dm, { id: 'left-elsewhere', kind: 'public', lastSeq: 1, readSeq: 1 }];
    const merged = mergeListing(local, server);
    expect(merged.rooms).toEqual([
      { id: 'general', kind: 'public', lastSeq: 6, readSeq: 5 },
      { id: 'dm:ann:bob', kind: 'dm', lastSeq: 2, readSeq: 0, peer: { id: 'bob', name: 'Bobby' } },
    ]);
    expect(merged.readAhead.map((room) => room.id)).toEqual(['general']);
  });

  it('raises the last seq of a known room and adds an unknown DM for a refresh to name', () => {
    expect(noteSeq([general], 'general', 9)).toEqual({ rooms: [{ ...general, lastSeq: 9 }], unknown: false });
    expect(noteSeq([general], 'general', 3).rooms).toEqual([general]);
    const added = noteSeq([general], 'dm:ann:bob', 1);
    expect(added.unknown).toBe(true);
    expect(added.rooms[1]).toEqual({ id: 'dm:ann:bob', kind: 'dm', lastSeq: 1, readSeq: 0 });
    expect(roomName(added.rooms[1])).toBe('Direct message');
  });

  it('renames a DM after its peer when presence reports a new name, and reports no change otherwise', () => {
    expect(renamePeers([general, dm], [{ id: 'bob', name: 'Robert' }])).toEqual([general, { ...dm, peer: { id: 'bob', name: 'Robert' } }]);
    expect(renamePeers([general, dm], [bob, { id: 'cy', name: 'Cy' }])).toBeUndefined();
  });
});
