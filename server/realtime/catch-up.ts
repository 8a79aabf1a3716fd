/**
 * Catch-up on a socket: after the handshake (join the live channels first, then
 * replay, then `sync:done`) and on `sync` (gap repair). Pages go out as the
 * JSON the store or tail cache already holds, never decoded and encoded again.
 */
import { BATCH_SIZE } from '../../shared/limits';
import type { Cursors, RoomId, RoomSummary, SyncDone } from '../../shared/protocol';
import { replayMissed, type BatchSink, type Replay } from '../chat/catch-up';
import { toErr } from '../chat/errors';
import { metrics } from '../observe/metrics';
import type { EncodedPage } from '../store/store';
import { roomChannel, userChannel } from './channels';
import type { ChatSocket, HandlerDeps } from './types';
import { encodedEvent } from './wire/pre-encoded';

/** A reader whose connection takes no page for this long is disconnected; it resumes from its cursor on reconnect. */
export const STALLED_READER_MS = 20_000;

/** The event each page format travels as. */
const PAGE_EVENTS = { messages: 'message:batch', rows: 'message:rows', packed: 'message:packed' } as const;
type PageEvent = (typeof PAGE_EVENTS)[keyof typeof PAGE_EVENTS];

/**
 * Writes one pre-encoded event and resolves once the transport took it (or the socket went):
 * catch-up writes its next page only then. A reader that takes nothing for STALLED_READER_MS
 * is disconnected.
 */
function writeWhenTaken(socket: ChatSocket, event: PageEvent | 'change:batch', json: string, gone: Promise<void>): Promise<void> {
  const taken = new Promise<void>((resolve) => {
    // Written as the Socket.IO packet socket.emit would make of it, without decoding the JSON to
    // encode it again; engine.io calls back once the transport has handed it to the kernel.
    socket.conn.write(encodedEvent(event, json), {}, () => resolve());
    metrics.catchUpPages.inc();
    metrics.catchUpBytes.inc(json.length);
  });
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      socket.disconnect(true);
      resolve();
    }, STALLED_READER_MS);
  });
  return Promise.race([taken, gone, stalled]).finally(() => clearTimeout(timer));
}

function batchSink(socket: ChatSocket, gone: Promise<void>): BatchSink {
  const format = socket.data.pages;
  const event = PAGE_EVENTS[format];
  return {
    get connected() {
      return socket.connected;
    },
    format,
    emitBatch: (page: EncodedPage) => writeWhenTaken(socket, event, page.json, gone),
  };
}

/**
 * Streams what `rooms` hold after `cursors` to this socket; returns the rooms' last seqs.
 * One catch-up at a time per socket: returns null while another is running.
 */
export async function replayTo(
  socket: ChatSocket,
  deps: HandlerDeps,
  rooms: RoomSummary[],
  cursors: Cursors,
  revs?: Cursors,
): Promise<(Replay & { lastRev?: Record<RoomId, number> }) | null> {
  if (socket.data.catchingUp) return null;
  socket.data.catchingUp = true;
  let stopWaiting = (): void => undefined;
  const gone = new Promise<void>((resolve) => {
    const onDisconnect = () => resolve();
    socket.once('disconnect', onDisconnect);
    stopWaiting = () => socket.off('disconnect', onDisconnect);
  });
  try {
    const replay = await replayMissed(deps.pages, batchSink(socket, gone), rooms, cursors, {
      window: deps.config.historyWindow,
      cap: deps.config.catchUpCap,
    });
    if (!revs) return replay;
    return { ...replay, lastRev: await replayChanges(socket, deps, rooms, revs, gone) };
  } finally {
    stopWaiting();
    socket.data.catchingUp = false;
  }
}

/**
 * After the messages, the changes a client that follows them missed: for each room it names a
 * rev cursor for, every change after it, by room then rev. A room without one (a new device)
 * starts from the returned last rev: the messages it just got are already as changed.
 */
async function replayChanges(
  socket: ChatSocket,
  deps: HandlerDeps,
  rooms: RoomSummary[],
  revs: Cursors,
  gone: Promise<void>,
): Promise<Record<RoomId, number>> {
  const lastRev: Record<RoomId, number> = Object.create(null);
  for (const room of rooms) {
    lastRev[room.id] = room.lastRev ?? 0;
    if (!Object.hasOwn(revs, room.id)) continue;
    let after = revs[room.id];
    while (socket.connected) {
      const changes = await deps.store.changesAfter(room.id, after, BATCH_SIZE);
      if (changes.length > 0) {
        after = changes[changes.length - 1].rev;
        lastRev[room.id] = Math.max(lastRev[room.id], after);
        // Like message pages: the next one is read only once this one has left, so a slow reader costs no memory.
        await writeWhenTaken(socket, 'change:batch', JSON.stringify(changes), gone);
      }
      if (changes.length < BATCH_SIZE) break;
    }
  }
  return lastRev;
}

/**
 * `sync:done` (and the `sync` ack): `windows` only when some room was windowed and `lastRev`
 * only for a client following changes, so a v1 client sees what it always saw.
 */
export function doneAnswer(replay: Replay & { lastRev?: Record<RoomId, number> }): SyncDone {
  const done: SyncDone = { lastSeq: replay.lastSeq };
  if (Object.keys(replay.windows).length > 0) done.windows = { ...replay.windows };
  if (replay.lastRev) done.lastRev = { ...replay.lastRev };
  return done;
}

/** Joins the live channels first, then replays from the store, so nothing falls between the two. */
export async function catchUpOnConnect(socket: ChatSocket, deps: HandlerDeps): Promise<void> {
  const { user, cursors } = socket.data;
  try {
    const rooms = await deps.store.roomsOf(user.id);
    await socket.join([userChannel(user.id), ...rooms.map((room) => roomChannel(room.id))]);
    const replay = await replayTo(socket, deps, rooms, cursors, socket.data.revs);
    if (replay && socket.connected) socket.emit('sync:done', doneAnswer(replay));
  } catch (error) {
    toErr(error, socket.data.log, 'catch-up');
    // Without its catch-up the client would hold a silent gap: make it reconnect and try again.
    socket.disconnect(true);
  }
}
