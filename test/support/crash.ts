/**
 * What must hold after a server died under load and came back: every send resent
 * with its clientOffset, every acked one absorbed as the very message first
 * stored, and the room holding each send exactly once, in gap-free order.
 */
import { expect } from 'vitest';
import type { Message } from '../../shared/protocol';
import { resend, storedMessages, type PacedSends } from './paced-sends';

export type ResendReport = {
  /** Resends the duplicate check absorbed: already stored before the crash. */
  absorbed: number;
  /** Resends stored now: the crash had lost them before any commit. */
  created: number;
  /** Of the sends left without an answer by the crash, how many had been committed all the same. */
  unansweredButStored: number;
};

export async function resendAndCheckExactlyOnce(url: string, clients: Array<{ token: string; sends: PacedSends }>): Promise<ResendReport> {
  const report: ResendReport = { absorbed: 0, created: 0, unansweredButStored: 0 };
  const final = new Map<string, Message>();
  const all = clients.flatMap(({ token, sends }) =>
    [...sends.sends].map(([clientOffset, { content, outcome }]) => ({ token, clientOffset, content, outcome })),
  );
  // A few at a time, as a reconnecting client flushes its outbox.
  for (let start = 0; start < all.length; start += 16) {
    const batch = all.slice(start, start + 16);
    const answers = await Promise.all(batch.map(({ token, clientOffset, content }) => resend(url, token, clientOffset, content)));
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
  const stored = await storedMessages(url, clients[0].token);
  expect(stored.map((message) => message.seq)).toEqual(stored.map((_, index) => index + 1));
  expect(stored.length).toBe(final.size);
  for (const message of stored) expect(final.get(`${message.author.id}/${message.clientOffset}`)).toEqual(message);
  return report;
}
