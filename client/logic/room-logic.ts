/** Pure rules of the rooms list: names, unread counts, join-name validation, order and merging with the server's listing. */
import { DM_ROOM_PATTERN, GENERAL_ROOM, isDmRoom, MAX_ROOM_SLUG_CHARS, ROOM_SLUG_PATTERN } from '../../shared/limits';
import type { RoomId, RoomListing, User } from '../../shared/protocol';
import type { PeerReceipt } from './change-logic';
import { person, type Phrase } from './phrase';

/**
 * What the device keeps per room (IndexedDB `rooms`): the server's listing, with readSeq possibly ahead of it
 * while offline; `peerReceipt`: in a DM, how far the other person received and read (our ticks).
 */
export type RoomEntry = Pick<RoomListing, 'id' | 'lastSeq' | 'readSeq' | 'kind' | 'peer'> & { peerReceipt?: PeerReceipt };

/** The further of two receipts of the same person (cursors never move back). */
export function furtherReceipt(a: PeerReceipt | undefined, b: PeerReceipt | undefined): PeerReceipt | undefined {
  if (!a || !b) return a ?? b;
  return { deliveredSeq: Math.max(a.deliveredSeq, b.deliveredSeq), readSeq: Math.max(a.readSeq, b.readSeq) };
}

/** The other person of a DM from its id alone (their name comes from the listing's `peer`). */
export function dmPeerId(room: RoomId, ownId: string): string | undefined {
  const match = DM_ROOM_PATTERN.exec(room);
  if (!match) return undefined;
  return match[1] === ownId ? match[2] : match[1];
}

/** A DM is named after the other person; a public room by its slug. */
export function roomName(entry: Pick<RoomEntry, 'id' | 'peer'>): string {
  if (!isDmRoom(entry.id)) return entry.id;
  return entry.peer?.name ?? 'Direct message';
}

/** The title above the timeline: `# slug` for public rooms, `@` and the peer's name for a DM. */
export function roomTitle(entry: Pick<RoomEntry, 'id' | 'peer'>): Phrase {
  if (!isDmRoom(entry.id)) return [{ text: `# ${entry.id}` }];
  return entry.peer ? [{ text: '@ ' }, person(entry.peer.name)] : [{ text: `@ ${roomName(entry)}` }];
}

/** Messages after the read cursor, minus our own (writing something is reading it). */
export function unreadCount(lastSeq: number, readSeq: number, ownSeqs: Iterable<number>): number {
  let own = 0;
  for (const seq of ownSeqs) if (seq > readSeq && seq <= lastSeq) own++;
  return Math.max(0, lastSeq - readSeq - own);
}

/** Said under the room-name field, before anyone types. */
export const ROOM_NAME_HELP = `Letters a–z, digits and hyphens, up to ${MAX_ROOM_SLUG_CHARS}. A new name creates the room.`;

export type RoomNameCheck = { ok: true; room: RoomId } | { ok: false; message: string };

/** Accepts what people type ("#Book Club ") and turns it into the shared slug rule, or says why not. */
export function checkRoomName(input: string): RoomNameCheck {
  const room = input.trim().replace(/^#/, '').trim().toLowerCase().replace(/\s+/g, '-');
  if (!room) return { ok: false, message: 'Enter a room name.' };
  if (room.length > MAX_ROOM_SLUG_CHARS) return { ok: false, message: `Room names are at most ${MAX_ROOM_SLUG_CHARS} characters.` };
  if (!ROOM_SLUG_PATTERN.test(room)) return { ok: false, message: 'Use only letters a–z, digits and hyphens (-).' };
  return { ok: true, room };
}

/** general first, then public rooms by name, then DMs by peer name. */
export function sortRooms(rooms: readonly RoomEntry[]): RoomEntry[] {
  const rank = (room: RoomEntry) => (room.id === GENERAL_ROOM ? 0 : isDmRoom(room.id) ? 2 : 1);
  return [...rooms].sort((a, b) => rank(a) - rank(b) || roomName(a).localeCompare(roomName(b)) || a.id.localeCompare(b.id));
}

/**
 * The server's listing wins for membership and names; our read cursor and last seq win when
 * ahead (read or received here while the server had not heard yet). Returns the rooms whose
 * read cursor the server still has to be told about.
 */
export function mergeListing(local: readonly RoomEntry[], server: readonly RoomListing[]): { rooms: RoomEntry[]; readAhead: RoomEntry[] } {
  const mine = new Map(local.map((room) => [room.id, room]));
  const readAhead: RoomEntry[] = [];
  const rooms = server.map((listing): RoomEntry => {
    const known = mine.get(listing.id);
    const readSeq = Math.max(listing.readSeq, known?.readSeq ?? 0);
    const entry: RoomEntry = { id: listing.id, kind: listing.kind, lastSeq: Math.max(listing.lastSeq, known?.lastSeq ?? 0), readSeq };
    const peer = listing.peer ?? known?.peer;
    if (peer) entry.peer = peer;
    const receipt = furtherReceipt(
      listing.peerReceipt && { deliveredSeq: listing.peerReceipt.deliveredSeq, readSeq: listing.peerReceipt.readSeq },
      known?.peerReceipt,
    );
    if (receipt) entry.peerReceipt = receipt;
    if (readSeq > listing.readSeq) readAhead.push(entry);
    return entry;
  });
  return { rooms: sortRooms(rooms), readAhead };
}

/** A message arrived for a room: raise its last seq, or add it (a DM the other person just opened). */
export function noteSeq(rooms: readonly RoomEntry[], room: RoomId, seq: number): { rooms: RoomEntry[]; unknown: boolean } {
  const known = rooms.find((entry) => entry.id === room);
  if (known) {
    if (seq <= known.lastSeq) return { rooms: [...rooms], unknown: false };
    return { rooms: rooms.map((entry) => (entry.id === room ? { ...entry, lastSeq: seq } : entry)), unknown: false };
  }
  const added: RoomEntry = { id: room, kind: isDmRoom(room) ? 'dm' : 'public', lastSeq: seq, readSeq: 0 };
  return { rooms: sortRooms([...rooms, added]), unknown: true };
}

/** People as presence reports them: a DM whose peer was renamed takes the new name at once. */
export function renamePeers(rooms: readonly RoomEntry[], people: readonly User[]): RoomEntry[] | undefined {
  const names = new Map(people.map((user) => [user.id, user.name]));
  let changed = false;
  const next = rooms.map((room) => {
    const name = room.peer ? names.get(room.peer.id) : undefined;
    if (!room.peer || name === undefined || name === room.peer.name) return room;
    changed = true;
    return { ...room, peer: { id: room.peer.id, name } };
  });
  return changed ? sortRooms(next) : undefined;
}
