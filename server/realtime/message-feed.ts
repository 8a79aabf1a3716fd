/**
 * Delivers committed messages (`message:new`) and changes (`message:change`) to
 * every member socket of every server process, and keeps each process's tail
 * cache in step.
 *
 * In the cluster a group commit's messages cross to the other workers as one
 * batch (one IPC hop, not one per message), and each worker emits them locally
 * in commit order. With Redis they go as ordinary room broadcasts: the Streams
 * adapter appends those to a stream that every instance reads from its own
 * offset, so they arrive late but in order after a Redis outage, whereas a
 * serverSideEmit travels over pub/sub and is lost while Redis is away. The batch
 * still goes out for the other instances' tail caches, where a lost one only
 * shortens a run, and a lost change is caught by the rev check (tail-cache.ts).
 */
import type { Message, MessageChange } from '../../shared/protocol';
import type { TailCache } from '../chat/tail-cache';
import { roomChannel } from './channels';
import type { ChatServer, Peers } from './types';

export type MessageFeed = {
  /** A newly committed message: to its room's members everywhere. */
  publish(message: Message): void;
  /** A newly committed change: to its room's members everywhere. */
  publishChange(change: MessageChange): void;
};

/**
 * Whether this process's tail records every message in the same step as it emits it to its own
 * sockets (deliverLocally below): so in a single process and the cluster, not with Redis, whose
 * adapter stream delivers apart from the batch the tail is fed. Catch-up relies on it (chat/catch-up.ts).
 */
export const tailInStepWithLive = (peers: Peers): boolean => peers !== 'redis';

/** Collects what one tick commits and hands it over once, after every continuation of the commit has run. */
function perTick<T>(flush: (batch: T[]) => void): (item: T) => void {
  let pending: T[] = [];
  return (item) => {
    if (pending.push(item) > 1) return;
    process.nextTick(() => {
      const batch = pending;
      pending = [];
      flush(batch);
    });
  };
}

export function createMessageFeed(io: ChatServer, peers: Peers, tail: TailCache): MessageFeed {
  const deliverLocally = (messages: Message[]) => {
    for (const message of messages) io.local.to(roomChannel(message.room)).emit('message:new', message);
    tail.record(messages);
  };
  const applyLocally = (changes: MessageChange[]) => {
    for (const change of changes) {
      tail.changed(change.room, change.rev);
      if (peers !== 'redis') io.local.to(roomChannel(change.room)).emit('message:change', change);
    }
  };
  if (peers === 'cluster') io.on('messages:committed', deliverLocally);
  if (peers === 'redis') io.on('messages:committed', (messages) => tail.record(messages));
  if (peers !== 'none') io.on('changes:committed', applyLocally);

  const publish = perTick<Message>((batch) => {
    if (peers === 'redis') {
      for (const message of batch) io.to(roomChannel(message.room)).emit('message:new', message);
      tail.record(batch);
    } else {
      deliverLocally(batch);
    }
    if (peers !== 'none') io.serverSideEmit('messages:committed', batch);
  });

  const publishChange = perTick<MessageChange>((batch) => {
    // With Redis the room broadcast (a stream) reaches sockets everywhere; the cluster relays the batch.
    if (peers === 'redis') for (const change of batch) io.to(roomChannel(change.room)).emit('message:change', change);
    applyLocally(batch);
    if (peers !== 'none') io.serverSideEmit('changes:committed', batch);
  });

  return { publish, publishChange };
}
