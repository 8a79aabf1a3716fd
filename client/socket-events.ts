/**
 * The one module that listens to the chat socket: it opens the socket for a session and maps every
 * server event to store methods. Each event has exactly one listener, so its effects happen in the
 * order written in that listener, and that order is the contract:
 *
 * - `message:packed` (or `message:batch`) / `message:new`: the connection store receives first (stores
 *   them one batch at a time, settles our outbox entries, asks `sync` for a gap), then the rooms list
 *   raises last seqs and unread counts (and adds a room it did not know); a live message also ends
 *   its author's typing.
 * - `sync:done`: the connection goes online once every batch before it is stored, and the rooms list
 *   is fetched again (names, unread counts, rooms joined or left on other devices).
 * - `disconnect`: the connection withdraws the outbox's transport and the live socket first, then
 *   presence and typing are forgotten, since nothing from a dropped connection can be trusted.
 * - `connect_error`: the connection decides (a refused handshake is tried again after a backoff); an
 *   unknown token ends the session, here and in every tab.
 */
import { messagesOfPacked } from '../shared/message-packed';
import type { Message } from '../shared/protocol';
import type { Session } from './logic/models';
import { createChatSocket, type ChatSocket } from './realtime/socket';
import { useAccountStore } from './stores/account';
import { useConnectionStore } from './stores/connection';
import { useMessagesStore } from './stores/messages';
import { useNoticesStore } from './stores/notices';
import { usePresenceStore } from './stores/presence';
import { useRoomsStore } from './stores/rooms';
import { useReceiptsStore } from './stores/receipts';
import { useTypingStore } from './stores/typing';

/** Opens the session's socket once (a renamed session keeps the socket it has) and connects when the browser is online. */
export function startChatSocket(session: Session): void {
  const connection = useConnectionStore();
  if (connection.hasSocket()) return;
  const messages = useMessagesStore();
  // Auth is read on every attempt, so a reconnect sends the cursors as they are then.
  // presence 'bounded': one full list per connection, then only changes; in a crowd only how many.
  // revs (even empty) asks for edits, deletes and reactions: the ones after each room's change cursor, then live.
  const chat = createChatSocket(() => ({
    token: session.token,
    cursors: messages.cursors(),
    revs: messages.revs(),
    presence: 'bounded',
    // Catch-up as `message:packed`: half the bytes of `message:batch` on a phone's network, and the quickest to read.
    pages: 'packed',
  }));
  listen(chat, session);
  // Pushes (is the app on screen, the app badge, a tapped notification): loaded after the socket, outside the shell.
  void import('./push-page').then(({ startPushPage }) => startPushPage(chat));
  connection.start(chat);
}

function listen(chat: ChatSocket, session: Session): void {
  const connection = useConnectionStore();
  const account = useAccountStore();
  const rooms = useRoomsStore();
  const presence = usePresenceStore();
  const typing = useTypingStore();
  const notices = useNoticesStore();
  const receipts = useReceiptsStore();
  const messages = useMessagesStore();
  const ownId = session.user.id;

  // The connection's life.
  chat.on('connect', () => connection.connected(session.token));
  chat.on('connect_error', (error) => {
    if (connection.connectFailed(error) === 'session-ended') void account.sessionEnded();
  });
  chat.on('disconnect', (reason) => {
    connection.disconnected(reason);
    presence.forget();
    typing.clear();
  });

  // Messages: catch-up, then live.
  const caughtUp = (batch: Message[]) => {
    connection.countCatchUp(batch.length);
    void connection.receive(batch, ownId).then(() => receipts.delivered(messages.cursors()));
    rooms.noteMessages(batch);
  };
  chat.on('message:packed', (page) => caughtUp(messagesOfPacked(page)));
  // What a server that does not know `auth.pages` sends instead.
  chat.on('message:batch', caughtUp);
  chat.on('sync:done', (done) => {
    connection.catchUpDone(done);
    void rooms.refresh();
  });
  chat.on('message:new', (message) => {
    void connection.receive([message], ownId).then(() => receipts.delivered(messages.cursors()));
    rooms.noteMessages([message]);
    typing.sent(message.room, message.author.id);
  });

  // Edits, deletes and reactions: catch-up (after the messages), then live.
  chat.on('change:batch', (changes) => {
    connection.countCatchUp(0);
    void connection.receiveChanges(changes, ownId);
  });
  chat.on('message:change', (change) => void connection.receiveChanges([change], ownId));
  chat.on('room:receipt', (receipt) => rooms.applyReceipt(receipt, ownId));

  // People and rooms.
  chat.on('presence', ({ online }) => {
    presence.set(online);
    rooms.notePeople(online);
  });
  chat.on('presence:delta', ({ joined, left }) => {
    presence.change(joined, left);
    rooms.notePeople(presence.online);
  });
  chat.on('presence:count', ({ online }) => presence.setCount(online));
  chat.on('typing', ({ room, user, typing: isTyping }) => typing.received(room, user, isTyping));
  chat.on('notice', (notice) => notices.add(notice));
  chat.on('room:read', ({ room, readSeq }) => rooms.applyRead(room, readSeq));
}
