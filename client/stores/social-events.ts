/** Wires the socket's people events (presence, typing, notices, read cursors, new rooms) to their stores. */
import type { ChatSocket } from '../realtime/socket';
import { useNoticesStore } from './notices';
import { usePresenceStore } from './presence';
import { useRoomsStore } from './rooms';
import { useTypingStore } from './typing';

export function wireSocial(chat: ChatSocket): void {
  const rooms = useRoomsStore();
  const presence = usePresenceStore();
  const typing = useTypingStore();
  const notices = useNoticesStore();

  chat.on('presence', ({ online }) => {
    presence.set(online);
    rooms.notePeople(online);
  });
  chat.on('presence:delta', ({ joined, left }) => {
    presence.change(joined, left);
    rooms.notePeople(presence.online);
  });
  chat.on('typing', ({ room, user, typing: isTyping }) => typing.received(room, user, isTyping));
  chat.on('notice', (notice) => notices.add(notice));
  chat.on('room:read', ({ room, readSeq }) => rooms.applyRead(room, readSeq));
  chat.on('message:new', (message) => {
    rooms.noteMessages([message]);
    typing.sent(message.room, message.author.id);
  });
  chat.on('message:batch', (batch) => rooms.noteMessages(batch));
  // After every catch-up: names, unread counts and rooms joined or left on other devices.
  chat.on('sync:done', () => void rooms.refresh());
  chat.on('disconnect', () => {
    presence.forget();
    typing.clear();
  });
}
