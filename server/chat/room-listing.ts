/** What `GET /api/rooms` answers: the user's rooms with unread counts, and who is on the other side of each DM. */
import type { RoomListing } from '../../shared/protocol';
import type { Store } from '../store/store';
import { dmParticipants } from './access';

export async function listRooms(store: Store, userId: string): Promise<RoomListing[]> {
  const rooms = await store.roomsOf(userId);
  return Promise.all(
    rooms.map(async (room): Promise<RoomListing> => {
      const listing: RoomListing = { ...room, unread: Math.max(0, room.lastSeq - room.readSeq), kind: 'public' };
      const participants = dmParticipants(room.id);
      if (!participants) return listing;
      const peerId = participants[0] === userId ? participants[1] : participants[0];
      const peer = await store.userById(peerId);
      return peer ? { ...listing, kind: 'dm', peer } : { ...listing, kind: 'dm' };
    }),
  );
}
