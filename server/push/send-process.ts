/**
 * A process that makes pushes (push/send-pool.ts forks it): encrypts, signs and sends each push
 * of the batches it is handed, and answers with what each push service said.
 *
 * A process, not a thread, so that its CPU is not the server's: the pool forks it in Linux's idle
 * scheduling class (SCHED_IDLE, see fork-at-idle-priority.ts), where any event loop that wakes
 * takes the core at once. Where that class is not available it lowers itself: a session of its
 * own (the pool forks it detached) and, where Linux groups scheduling by session (autogroup, on
 * by default), that group at the lowest priority. A nice value alone only ranks the tasks inside
 * one group: a nice-19 thread still spends its server's share (measured: other senders' ack p99
 * 4–6× during a 10,000-device fan-out with threads). It leaves when the server does (the IPC
 * channel closes).
 */
import { lowerOwnPriority } from '../fork-at-idle-priority';
import { deliver } from './deliver';
import type { SendBatch, SendBatchResult } from './send-pool';

/** Pushes of one batch in flight at once. */
const CONCURRENCY = 32;
async function sendBatch(batch: SendBatch): Promise<SendBatchResult> {
  const results: SendBatchResult['results'] = new Array(batch.items.length);
  let next = 0;
  const lane = async () => {
    while (next < batch.items.length) {
      const index = next++;
      const item = batch.items[index];
      results[index] = await deliver(item.subscription, item.payload, { ...batch.options, urgency: item.urgency }).catch(
        (error: unknown) => ({ outcome: 'retry', status: null, retryAfterMs: null, reason: (error as Error).message }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batch.items.length) }, lane));
  return { id: batch.id, results };
}

lowerOwnPriority({ sessionGroup: true });
process.on('message', (batch: SendBatch) => {
  void sendBatch(batch).then((answer) => process.send?.(answer));
});
// The server stopped or died: nothing left to answer to.
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
