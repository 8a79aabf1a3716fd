/**
 * Catch-up on a socket: after the handshake (join the live channels first, then
 * replay, then `sync:done`) and on `sync` (gap repair). Pages go out as the
 * JSON the store or tail cache already holds, never decoded and encoded again.
 */
import type { Cursors, LastSeqs, RoomId, RoomSummary } from '../../shared/protocol';
import { replayMissed, type BatchSink, type Replay } from '../chat/catch-up';
import { toErr } from '../chat/errors';
import type { EncodedPage } from '../store/store';
import { roomChannel, userChannel } from './channels';
import type { ChatSocket, HandlerDeps } from './types';
import { encodedEvent } from './wire/pre-encoded';

/** A reader whose connection takes no page for this long is disconnected; it resumes from its cursor on reconnect. */
export const STALLED_READER_MS = 20_000;

function batchSink(socket: ChatSocket, gone: Promise<void>): BatchSink {
  return {
    get connected() {
      return socket.connected;
    },
    emitBatch(page: EncodedPage) {
      const taken = new Promise<void>((resolve) => {
        // Written as the Socket.IO packet socket.emit would make of it, without decoding the JSON to
        // encode it again; engine.io calls back once the transport has handed it to the kernel.
        socket.conn.write(encodedEvent('message:batch', page.json), {}, () => resolve());
      });
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          socket.disconnect(true);
          resolve();
        }, STALLED_READER_MS);
      });
      return Promise.race([taken, gone, stalled]).finally(() => clearTimeout(timer));
    },
  };
}

/**
 * Streams what `rooms` hold after `cursors` to this socket; returns the rooms' last seqs.
 * One catch-up at a time per socket: returns null while another is running.
 */
export async function replayTo(socket: ChatSocket, deps: HandlerDeps, rooms: RoomSummary[], cursors: Cursors): Promise<Replay | null> {
  if (socket.data.catchingUp) return null;
  socket.data.catchingUp = true;
  let stopWaiting = (): void => undefined;
  const gone = new Promise<void>((resolve) => {
    const onDisconnect = () => resolve();
    socket.once('disconnect', onDisconnect);
    stopWaiting = () => socket.off('disconnect', onDisconnect);
  });
  try {
    return await replayMissed(deps.pages, batchSink(socket, gone), rooms, cursors, {
      window: deps.config.historyWindow,
      cap: deps.config.catchUpCap,
    });
  } finally {
    stopWaiting();
    socket.data.catchingUp = false;
  }
}

/** `sync:done` (and the `sync` ack): `windows` only when some room was windowed, so a v1 client sees what it always saw. */
export function doneAnswer(replay: Replay): { lastSeq: LastSeqs; windows?: Record<RoomId, number> } {
  return Object.keys(replay.windows).length > 0 ? { lastSeq: replay.lastSeq, windows: { ...replay.windows } } : { lastSeq: replay.lastSeq };
}

/** Joins the live channels first, then replays from the store, so nothing falls between the two. */
export async function catchUpOnConnect(socket: ChatSocket, deps: HandlerDeps): Promise<void> {
  const { user, cursors } = socket.data;
  try {
    const rooms = await deps.store.roomsOf(user.id);
    await socket.join([userChannel(user.id), ...rooms.map((room) => roomChannel(room.id))]);
    const replay = await replayTo(socket, deps, rooms, cursors);
    if (replay && socket.connected) socket.emit('sync:done', doneAnswer(replay));
  } catch (error) {
    toErr(error);
    // Without its catch-up the client would hold a silent gap: make it reconnect and try again.
    socket.disconnect(true);
  }
}
