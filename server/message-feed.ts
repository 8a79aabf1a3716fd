/**
 * Delivers committed messages as `message:new` to every member socket of every
 * server process. A group commit settles many sends in one tick; they cross to
 * the other processes as one batch (one IPC or Redis hop, not one per message),
 * and each process then emits them locally in commit order.
 */
import type { Message } from '../shared/protocol';
import { roomChannel } from './chat/access';
import type { TailCache } from './chat/tail-cache';
import type { ChatServer } from './socket';

export function createMessageFeed(io: ChatServer, shared: boolean, tail: TailCache): (message: Message) => void {
  let pending: Message[] = [];

  const deliverLocally = (messages: Message[]) => {
    for (const message of messages) io.local.to(roomChannel(message.room)).emit('message:new', message);
    tail.record(messages);
  };
  if (shared) io.on('messages:committed', deliverLocally);

  const flush = () => {
    const batch = pending;
    pending = [];
    deliverLocally(batch);
    if (shared) io.serverSideEmit('messages:committed', batch);
  };

  return (message) => {
    // nextTick runs once every continuation of the settled commit has published.
    if (pending.push(message) === 1) process.nextTick(flush);
  };
}
