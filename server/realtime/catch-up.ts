/**
 * Catch-up on a socket: after the handshake (join the live channels first, then
 * replay, then `sync:done`) and on `sync` (gap repair). Pages go out as the
 * JSON the store or tail cache already holds, never decoded and encoded again.
 */
import type { Cursors, LastSeqs, RoomSummary } from '../../shared/protocol';
import { replayMissed, type BatchSink } from '../chat/catch-up';
import { toErr } from '../chat/errors';
import type { EncodedPage } from '../store/store';
import { roomChannel, userChannel } from './channels';
import type { ChatSocket, HandlerDeps } from './types';
import { encodedEvent } from './wire/pre-encoded';

function batchSink(socket: ChatSocket): BatchSink {
  return {
    get connected() {
      return socket.connected;
    },
    // Written as the Socket.IO packet socket.emit would make of it, without decoding the JSON to encode it again.
    emitBatch: (page: EncodedPage) => void socket.conn.write(encodedEvent('message:batch', page.json)),
  };
}

/** Streams what `rooms` hold after `cursors` to this socket; returns the rooms' last seqs. */
export function replayTo(socket: ChatSocket, deps: HandlerDeps, rooms: RoomSummary[], cursors: Cursors): Promise<LastSeqs> {
  return replayMissed(deps.pages, batchSink(socket), rooms, cursors);
}

/** Joins the live channels first, then replays from the store, so nothing falls between the two. */
export async function catchUpOnConnect(socket: ChatSocket, deps: HandlerDeps): Promise<void> {
  const { user, cursors } = socket.data;
  try {
    const rooms = await deps.store.roomsOf(user.id);
    await socket.join([userChannel(user.id), ...rooms.map((room) => roomChannel(room.id))]);
    const lastSeq = await replayTo(socket, deps, rooms, cursors);
    if (socket.connected) socket.emit('sync:done', { lastSeq });
  } catch (error) {
    toErr(error);
    // Without its catch-up the client would hold a silent gap: make it reconnect and try again.
    socket.disconnect(true);
  }
}
