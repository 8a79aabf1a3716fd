/**
 * Delivers committed messages (`message:new`) and changes (`message:change`) to
 * every member socket of every server process, and keeps each process's tail
 * cache in step.
 *
 * A group commit's messages cross to the other processes as one batch (one hop,
 * not one per message), and each process emits them to its own sockets in commit
 * order and records them in its tail in that same step. Between the workers of
 * a machine the hop is the cluster's IPC; with Redis it is an entry of the
 * adapter's stream (scale-out/redis-adapter.ts puts these two events there, not
 * on pub/sub), which every process reads from its own offset, so batches arrive
 * late but in order after a Redis outage, in order with every room broadcast.
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
      io.local.to(roomChannel(change.room)).emit('message:change', change);
    }
  };
  if (peers !== 'none') {
    io.on('messages:committed', deliverLocally);
    io.on('changes:committed', applyLocally);
  }

  const publish = perTick<Message>((batch) => {
    deliverLocally(batch);
    if (peers !== 'none') io.serverSideEmit('messages:committed', batch);
  });

  const publishChange = perTick<MessageChange>((batch) => {
    applyLocally(batch);
    if (peers !== 'none') io.serverSideEmit('changes:committed', batch);
  });

  return { publish, publishChange };
}
