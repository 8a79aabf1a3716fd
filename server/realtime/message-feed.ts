/**
 * Delivers committed messages as `message:new` to every member socket of every
 * server process, and feeds each process's tail cache.
 *
 * In the cluster a group commit's messages cross to the other workers as one
 * batch (one IPC hop, not one per message), and each worker emits them locally
 * in commit order. With Redis the messages go as ordinary room broadcasts: the
 * Streams adapter appends those to a stream that every instance reads from its
 * own offset, so they arrive late but in order after a Redis outage, whereas a
 * serverSideEmit travels over pub/sub and is lost while Redis is away. The batch
 * still goes out for the other instances' tail caches, where a lost one only
 * shortens a run (the store serves the rest).
 */
import type { Message } from '../../shared/protocol';
import type { TailCache } from '../chat/tail-cache';
import { roomChannel } from './channels';
import type { ChatServer, Peers } from './types';

export function createMessageFeed(io: ChatServer, peers: Peers, tail: TailCache): (message: Message) => void {
  let pending: Message[] = [];

  const deliverLocally = (messages: Message[]) => {
    for (const message of messages) io.local.to(roomChannel(message.room)).emit('message:new', message);
    tail.record(messages);
  };
  if (peers === 'cluster') io.on('messages:committed', deliverLocally);
  if (peers === 'redis') io.on('messages:committed', (messages) => tail.record(messages));

  const flush = () => {
    const batch = pending;
    pending = [];
    if (peers === 'redis') {
      for (const message of batch) io.to(roomChannel(message.room)).emit('message:new', message);
      tail.record(batch);
    } else {
      deliverLocally(batch);
    }
    if (peers !== 'none') io.serverSideEmit('messages:committed', batch);
  };

  return (message) => {
    // nextTick runs once every continuation of the settled commit has published.
    if (pending.push(message) === 1) process.nextTick(flush);
  };
}
