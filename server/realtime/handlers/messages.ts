/** `message:send` and `sync`: sending through the shared send path, and repairing gaps. */
import { sendSchema, syncSchema } from '../../../shared/schema';
import { dmParticipants } from '../../chat/access';
import { err } from '../../chat/errors';
import { sendMessage } from '../../chat/send-message';
import { metrics } from '../../observe/metrics';
import { doneAnswer, replayTo } from '../catch-up';
import { eventListener, type SocketListener } from '../on-event';
import type { HandlerDeps } from '../types';

export function messageListeners(deps: HandlerDeps): SocketListener[] {
  // socket.data.user is read per event, not captured: a rename replaces it.
  const send = eventListener(deps.budgets, 'message:send', sendSchema, async (socket, payload) => {
    const started = performance.now();
    const outcome = await sendMessage(deps, socket.data.user, payload);
    metrics.ackSeconds.observe((performance.now() - started) / 1000);
    return outcome.ok ? { ok: true, message: outcome.message } : outcome;
  });

  const sync = eventListener(deps.budgets, 'sync', syncSchema, async (socket, { cursors, revs, rooms: windowed = [] }) => {
    const me = socket.data.user;
    // Rooms named in `rooms` but not in `cursors` have no cursor: they get their newest window.
    const requested = [...new Set([...Object.keys(cursors), ...windowed])];
    if (requested.some((room) => dmParticipants(room)?.includes(me.id) === false)) {
      return { ok: false, error: err('forbidden', 'you may not read that conversation') };
    }
    const mine = await deps.store.roomsOf(me.id);
    const wanted = new Set(requested);
    const rooms = requested.length === 0 ? mine : mine.filter((room) => wanted.has(room.id));
    const replay = await replayTo(socket, deps, rooms, cursors, revs);
    if (!replay) return { ok: false, error: err('rate_limited', 'a catch-up is already running on this connection', 1000) };
    return { ok: true, ...doneAnswer(replay) };
  });

  return [send, sync];
}
