/** What `GET /api/rooms` answers: the user's rooms with unread counts, and who is on the other side of each DM. */
import { BATCH_SIZE } from '../../shared/limits';
import type { RoomListing, RoomSummary } from '../../shared/protocol';
import type { Store } from '../store/store';
import { dmParticipants } from './access';

export async function listRooms(store: Store, userId: string): Promise<RoomListing[]> {
  const rooms = await store.roomsOf(userId);
  return Promise.all(
    rooms.map(async (room): Promise<RoomListing> => {
      const listing: RoomListing = { ...room, unread: await unreadOf(store, userId, room), kind: 'public' };
      const participants = dmParticipants(room.id);
      if (!participants) return listing;
      const peerId = participants[0] === userId ? participants[1] : participants[0];
      const [peer, receipts] = await Promise.all([store.userById(peerId), store.receipts(room.id)]);
      const peerReceipt = receipts.find((receipt) => receipt.userId === peerId);
      return { ...listing, kind: 'dm', ...(peer ? { peer } : {}), ...(peerReceipt ? { peerReceipt } : {}) };
    }),
  );
}

/**
 * Messages after the read cursor written by others: one's own sends do not move the
 * cursor (that would cost a write per message), yet are never unread. Counted up to
 * BATCH_SIZE, which a badge shows as "500+" anyway.
 */
async function unreadOf(store: Store, userId: string, room: RoomSummary & { readSeq: number }): Promise<number> {
  if (room.lastSeq <= room.readSeq) return 0;
  const after = await store.messagesAfter(room.id, room.readSeq, BATCH_SIZE);
  return after.filter((message) => message.author.id !== userId).length;
}
