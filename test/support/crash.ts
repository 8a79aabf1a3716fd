/**
 * Senders for crash tests, and what must hold after a server died or stopped
 * under load: every send resent with its clientOffset, every acked one absorbed
 * as the very message first stored, and the room holding each send exactly
 * once, in gap-free order.
 */
import { expect } from 'vitest';
import type { Message, SessionCreated } from '../../shared/protocol';
import type { Store } from '../../server/store/store';
import { connectAndCatchUp, connectWhere, createSession, workerOf, type ChatSocket } from './clients';
import { paceSends, resend, storedMessages, untilAcked, type PacedSends } from './paced-sends';

export type Sender = { session: SessionCreated; sends: PacedSends };

/** Where the resends go: a running server over HTTP, or the store file itself. */
export type ResendTarget = {
  resend(sender: Sender, clientOffset: string, content: string): Promise<{ created: boolean; message: Message }>;
  /** Every message of the room, in seq order, as `reader` may read them. */
  stored(room: string, reader: SessionCreated): Promise<Message[]>;
};

/** A running server: POST /api/rooms/:room/messages answers 201 when new, 200 when absorbed. */
export function overHttp(url: string): ResendTarget {
  return {
    resend: (sender, clientOffset, content) => resend(url, sender.session.token, clientOffset, content, sender.sends.room),
    stored: (room, reader) => storedMessages(url, reader.token, room),
  };
}

/** The stopped server's store, opened by the test: the same duplicate check, without a restart. */
export function intoStore(store: Store): ResendTarget {
  return {
    resend: (sender, clientOffset, content) =>
      store.appendMessage({ room: sender.sends.room, author: sender.session.user, clientOffset, content }),
    async stored(room) {
      const all: Message[] = [];
      for (let page = await store.messagesAfter(room, 0, 500); page.length > 0; page = await store.messagesAfter(room, all.length, 500))
        all.push(...page);
      return all;
    },
  };
}

/** Ana and Bob sending into `room` at once, 16 sends outstanding each, each on a worker of their own, 30 acks in. */
export async function sendersOnTwoWorkers(url: string, room: string): Promise<Array<Sender & { socket: ChatSocket }>> {
  const [ana, bob] = [await createSession(url, 'Ana'), await createSession(url, 'Bob')];
  const anaClient = await connectAndCatchUp(url, ana.token);
  const anaWorker = workerOf(anaClient.socket);
  const bobClient = await connectWhere(
    () => connectAndCatchUp(url, bob.token),
    (worker) => worker !== anaWorker,
  );
  const senders = [
    { session: ana, socket: anaClient.socket },
    { session: bob, socket: bobClient.socket },
  ];
  for (const { socket } of senders) {
    const joined = await socket.emitWithAck('room:join', { room });
    if (!joined.ok) throw new Error(`room:join ${room}: ${joined.error.code}`);
  }
  const sending = senders.map((sender) => ({
    ...sender,
    sends: paceSends(sender.socket, { prefix: sender.session.user.name.toLowerCase(), room, inFlight: 16 }),
  }));
  await Promise.all(sending.map((sender) => untilAcked(sender.sends, 30)));
  return sending;
}

export type ResendReport = {
  /** Resends the duplicate check absorbed: already stored before the crash. */
  absorbed: number;
  /** Resends stored now: the crash had lost them before any commit. */
  created: number;
  /** Of the sends left without an answer by the crash, how many had been committed all the same. */
  unansweredButStored: number;
};

export async function resendAndCheckExactlyOnce(target: ResendTarget, senders: Sender[]): Promise<ResendReport> {
  const report: ResendReport = { absorbed: 0, created: 0, unansweredButStored: 0 };
  const final = new Map<string, Message>();
  const all = senders.flatMap((sender) =>
    [...sender.sends.sends].map(([clientOffset, { content, outcome }]) => ({ sender, clientOffset, content, outcome })),
  );
  // A few at a time, as a reconnecting client flushes its outbox.
  for (let start = 0; start < all.length; start += 16) {
    const batch = all.slice(start, start + 16);
    const answers = await Promise.all(batch.map(({ sender, clientOffset, content }) => target.resend(sender, clientOffset, content)));
    batch.forEach(({ clientOffset, outcome }, index) => {
      const again = answers[index];
      if (again.created) report.created++;
      else report.absorbed++;
      if (outcome.state === 'acked') {
        // Acked means committed: the resend gets the same message back, same id, seq and ts.
        expect(again, `resend of acked ${clientOffset}`).toEqual({ created: false, message: outcome.message });
      }
      if (outcome.state === 'unanswered' && !again.created) report.unansweredButStored++;
      final.set(`${again.message.author.id}/${clientOffset}`, again.message);
    });
  }
  const stored = await target.stored(senders[0].sends.room, senders[0].session);
  expect(stored.map((message) => message.seq)).toEqual(stored.map((_, index) => index + 1));
  expect(stored.length).toBe(final.size);
  for (const message of stored) expect(final.get(`${message.author.id}/${message.clientOffset}`)).toEqual(message);
  return report;
}
