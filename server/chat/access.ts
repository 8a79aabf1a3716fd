/** Who may read or post where: pure decisions on room ids, plus the store lookups they need. */
import { DM_ROOM_PATTERN, GENERAL_ROOM } from '../../shared/limits';
import type { RoomId } from '../../shared/protocol';
import type { Store } from '../store/store';

/** The two user ids of a DM room, or null for a public room. */
export function dmParticipants(room: RoomId): [string, string] | null {
  const match = DM_ROOM_PATTERN.exec(room);
  return match ? [match[1], match[2]] : null;
}

/** DM ids are "dm:<id>:<id>" with the ids sorted, so both people compute the same one. */
export function dmRoomId(a: string, b: string): RoomId {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

export type Access = 'member' | 'public' | 'forbidden';

/**
 * Members read and post. Anyone may read a public room (HTTP history), but must
 * join to post. A DM is for its two participants and no one else, ever.
 */
export async function accessTo(store: Store, userId: string, room: RoomId): Promise<Access> {
  if (room === GENERAL_ROOM) return 'member';
  const participants = dmParticipants(room);
  if (participants && !participants.includes(userId)) return 'forbidden';
  if (await store.isMember(userId, room)) return 'member';
  return participants ? 'forbidden' : 'public';
}
