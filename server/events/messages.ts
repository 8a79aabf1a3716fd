/** `message:send` and `sync`: sending through the shared send path, and repairing gaps. */
import { syncSchema, sendSchema } from '../../shared/schema';
import { dmParticipants } from '../chat/access';
import { replayMissed } from '../chat/catch-up';
import { err } from '../chat/errors';
import { sendMessage } from '../chat/send-message';
import { batchSink, type ChatSocket, type SocketDeps } from '../socket';
import { onEvent } from './on-event';

export function registerMessageEvents(socket: ChatSocket, deps: SocketDeps): void {
  // Read per event, not captured: a rename replaces socket.data.user.
  const me = () => socket.data.user;

  onEvent(socket, 'message:send', sendSchema, async (payload) => {
    const outcome = await sendMessage(deps, me(), payload);
    return outcome.ok ? { ok: true, message: outcome.message } : outcome;
  });

  onEvent(socket, 'sync', syncSchema, async ({ cursors }) => {
    const requested = Object.keys(cursors);
    if (requested.some((room) => dmParticipants(room)?.includes(me().id) === false)) {
      return { ok: false, error: err('forbidden', 'you may not read that conversation') };
    }
    const mine = await deps.store.roomsOf(me().id);
    const rooms = requested.length === 0 ? mine : mine.filter((room) => room.id in cursors);
    const lastSeq = await replayMissed(deps.pages, batchSink(socket), rooms, cursors);
    return { ok: true, lastSeq };
  });
}
