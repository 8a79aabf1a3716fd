/**
 * What must hold after a server died or stopped under load: every send resent
 * with its clientOffset, every acked one absorbed as the very message first
 * stored, and the room holding each send exactly once, in gap-free order.
 */
import { expect } from 'vitest';
import type { Message, SessionCreated } from '../../shared/protocol';
import type { Store } from '../../server/store/store';
import { resend, storedMessages, type PacedSends } from './paced-sends';

export type Sender = { session: SessionCreated; sends: PacedSends };

/** Where the resends go: a restarted server over HTTP, or the store file itself. */
export type ResendTarget = {
  resend(sender: Sender, clientOffset: string, content: string): Promise<{ created: boolean; message: Message }>;
  /** Every message of general, in seq order. */
  stored(): Promise<Message[]>;
};

/** A running server: POST /api/rooms/general/messages answers 201 when new, 200 when absorbed. */
export function overHttp(url: string, reader: SessionCreated): ResendTarget {
  return {
    resend: (sender, clientOffset, content) => resend(url, sender.session.token, clientOffset, content),
    stored: () => storedMessages(url, reader.token),
  };
}

/** The stopped server's store, opened by the test: the same duplicate check, without a restart. */
export function intoStore(store: Store): ResendTarget {
  return {
    resend: (sender, clientOffset, content) => store.appendMessage({ room: 'general', author: sender.session.user, clientOffset, content }),
    async stored() {
      const all: Message[] = [];
      for (
        let page = await store.messagesAfter('general', 0, 500);
        page.length > 0;
        page = await store.messagesAfter('general', all.length, 500)
      )
        all.push(...page);
      return all;
    },
  };
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
  const stored = await target.stored();
  expect(stored.map((message) => message.seq)).toEqual(stored.map((_, index) => index + 1));
  expect(stored.length).toBe(final.size);
  for (const message of stored) expect(final.get(`${message.author.id}/${message.clientOffset}`)).toEqual(message);
  return report;
}
