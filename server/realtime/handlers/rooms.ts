/** `room:join`, `room:leave`, `dm:open` and `room:read`: membership and read cursors, on every tab and worker. */
import { GENERAL_ROOM } from '../../../shared/limits';
import type { RoomId, User } from '../../../shared/protocol';
import { deliveredSchema, dmOpenSchema, joinSchema, leaveSchema, readSchema } from '../../../shared/schema';
import { accessTo, dmParticipants, dmRoomId } from '../../chat/access';
import { err } from '../../chat/errors';
import { roomChannel, userChannel } from '../channels';
import { eventListener, type SocketListener } from '../on-event';
import type { ChatServer, HandlerDeps } from '../types';

/** Every tab and device of the user follows the room, on whichever worker it lives. */
function follow(io: ChatServer, userId: string, room: RoomId): void {
  io.in(userChannel(userId)).socketsJoin(roomChannel(room));
}

function notify(io: ChatServer, room: RoomId, kind: 'joined' | 'left', user: User): void {
  io.to(roomChannel(room)).except(userChannel(user.id)).emit('notice', { room, kind, user });
}

/**
 * In a DM the other person's ticks follow this person's cursors live (`room:receipt`), read
 * only if they share read receipts. Larger rooms ask on demand (GET /api/rooms/:room/receipts):
 * pushing every member's cursor to every member would cost members² per change.
 */
async function tellPeer(io: ChatServer, deps: HandlerDeps, room: RoomId, userId: string): Promise<void> {
  if (!dmParticipants(room)) return;
  const mine = (await deps.store.receipts(room)).find((receipt) => receipt.userId === userId);
  if (mine) io.to(roomChannel(room)).except(userChannel(userId)).emit('room:receipt', mine);
}

/** Public rooms the user is in besides general (DMs do not count against the cap). */
async function publicRoomsOf(deps: HandlerDeps, userId: string): Promise<number> {
  const rooms = await deps.store.roomsOf(userId);
  return rooms.filter((room) => room.id !== GENERAL_ROOM && !dmParticipants(room.id)).length;
}

/**
 * Each listener takes the user's id when its event arrives (an id never changes) and the user
 * itself, for notices, when it sends one: a rename replaces socket.data.user.
 */
export function roomListeners(io: ChatServer, deps: HandlerDeps): SocketListener[] {
  const join = eventListener(deps.budgets, 'room:join', joinSchema, async (socket, { room }) => {
    const { id } = socket.data.user;
    const participants = dmParticipants(room);
    if (participants) {
      // A DM is opened with dm:open; joining one by id only works for its own two people.
      if (!participants.includes(id) || !(await deps.store.isMember(id, room))) {
        return { ok: false, error: err('forbidden', 'that conversation is private') };
      }
      follow(io, id, room);
      return { ok: true, room, lastSeq: await deps.store.joinRoom(id, room, 'dm') };
    }
    const already = await deps.store.isMember(id, room);
    if (!already && (await publicRoomsOf(deps, id)) >= deps.config.maxRoomsPerUser) {
      const max = deps.config.maxRoomsPerUser;
      return { ok: false, error: err('forbidden', `you are in ${max} rooms, the most one person may join; leave one first`) };
    }
    const lastSeq = await deps.store.joinRoom(id, room, 'public');
    follow(io, id, room);
    if (!already) notify(io, room, 'joined', socket.data.user);
    return { ok: true, room, lastSeq };
  });

  const leave = eventListener(deps.budgets, 'room:leave', leaveSchema, async (socket, { room }) => {
    const { id } = socket.data.user;
    if (dmParticipants(room)) return { ok: false, error: err('invalid', 'a private conversation cannot be left') };
    if (await deps.store.leaveRoom(id, room)) notify(io, room, 'left', socket.data.user);
    io.in(userChannel(id)).socketsLeave(roomChannel(room));
    return { ok: true };
  });

  const openDm = eventListener(deps.budgets, 'dm:open', dmOpenSchema, async (socket, { userId }) => {
    const { id } = socket.data.user;
    const peer = await deps.store.userById(userId);
    if (!peer) return { ok: false, error: err('not_found', 'no such user') };
    const room = dmRoomId(id, peer.id);
    await deps.store.joinRoom(peer.id, room, 'dm');
    const lastSeq = await deps.store.joinRoom(id, room, 'dm');
    follow(io, id, room);
    follow(io, peer.id, room);
    return { ok: true, room, lastSeq };
  });

  const read = eventListener(deps.budgets, 'room:read', readSchema, async (socket, { room, seq }) => {
    const { id } = socket.data.user;
    if ((await accessTo(deps.store, id, room)) !== 'member') return { ok: false, error: err('forbidden', `you are not in ${room}`) };
    const readSeq = await deps.store.markRead(id, room, seq);
    // The user's other tabs and devices clear the same badge; closed ones hear it by push.
    socket.to(userChannel(id)).emit('room:read', { room, readSeq });
    deps.readOnDevice?.(id, socket.data.sessionId, room, readSeq);
    await tellPeer(io, deps, room, id);
    return { ok: true, room, readSeq };
  });

  const delivered = eventListener(deps.budgets, 'room:delivered', deliveredSchema, async (socket, { room, seq }) => {
    const { id } = socket.data.user;
    if ((await accessTo(deps.store, id, room)) !== 'member') return { ok: false, error: err('forbidden', `you are not in ${room}`) };
    const deliveredSeq = await deps.delivered.mark(id, room, seq);
    await tellPeer(io, deps, room, id);
    return { ok: true, room, deliveredSeq };
  });

  return [join, leave, openDm, read, delivered];
}
