/**
 * A thread that makes pushes (push/send-pool.ts starts it): encrypts, signs and sends each push of
 * the batches it is handed, and answers with what each push service said. It lowers its own
 * scheduling priority first: on Linux a nice value belongs to the thread that sets it, so a
 * fan-out to thousands of devices takes only the CPU that the event loops (and their acks) leave.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { deliver } from './deliver';
import type { SendBatch, SendBatchResult } from './send-pool';

/** Pushes of one batch in flight at once. */
const CONCURRENCY = 32;
/** The lowest priority (nice 19): any runnable event loop goes first. */
const LOWEST_PRIORITY = 19;

try {
  setPriority(LOWEST_PRIORITY);
} catch {
  // Not permitted or not supported here: the pushes still go, at normal priority.
}

parentPort?.on('message', (batch: SendBatch) => {
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
  void Promise.all(Array.from({ length: Math.min(CONCURRENCY, batch.items.length) }, lane)).then(() =>
    parentPort?.postMessage({ id: batch.id, results } satisfies SendBatchResult),
  );
});
