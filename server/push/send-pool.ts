/**
 * The threads that make this process's pushes (send-thread.ts), started on the first push and
 * stopped after a quiet minute, so a server that pushes nothing holds no thread. The sender hands
 * them batches; each goes to the thread with the least work, at most two batches per thread at
 * once, the rest waiting here. The event loop keeps only the store work: the encryption (a P-256
 * key pair and ECDH per push) and the HTTP of a 10,000-device fan-out run beside it, at the
 * lowest priority, on every core.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PushSubscriptionRecord } from '../store/push-store';
import type { DeliverOptions, Delivery } from './deliver';
import { log } from '../observe/log';

export type SendItem = { subscription: PushSubscriptionRecord; payload: string; urgency: 'normal' | 'high' };
export type SendBatch = { id: number; options: Omit<DeliverOptions, 'urgency'>; items: SendItem[] };
export type SendBatchResult = { id: number; results: Delivery[] };

export type SendPool = {
  /** Makes these pushes; the answers come in the same order. */
  send(items: SendItem[], options: Omit<DeliverOptions, 'urgency'>): Promise<Delivery[]>;
  close(): Promise<void>;
};

const BATCH_SIZE = 100;
const BATCHES_PER_THREAD = 2;
const IDLE_STOP_MS = 60_000;
const MAX_THREADS = 4;

/**
 * The thread: built, a file under push/ beside the bundle's chunks; from source (tests that run
 * the app in-process, `tsx`), the .ts next to this one, loaded through tsx's API since a thread
 * does not inherit the loader.
 */
function startThread(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./push/send-thread.js', here));
  const source = JSON.stringify(new URL('./send-thread.ts', here).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${source}, ${JSON.stringify(here)}))`, { eval: true });
}

type Thread = { worker: Worker; busy: number; waiting: Map<number, (results: Delivery[]) => void> };
type Queued = { batch: SendBatch; resolve(results: Delivery[]): void };

export function createSendPool(size = Math.min(MAX_THREADS, availableParallelism())): SendPool {
  const threads: Thread[] = [];
  const queue: Queued[] = [];
  let nextId = 1;
  let idle: NodeJS.Timeout | null = null;
  let closed = false;

  const failAll = (thread: Thread, reason: string) => {
    for (const [id, resolve] of thread.waiting) {
      thread.waiting.delete(id);
      // The pushes of a batch a thread did not finish are tried again later (at least once).
      resolve(new Array(BATCH_SIZE).fill({ outcome: 'retry', status: null, retryAfterMs: null, reason }));
    }
  };

  const start = (): Thread => {
    const worker = startThread();
    const thread: Thread = { worker, busy: 0, waiting: new Map() };
    worker.on('message', (answer: SendBatchResult) => {
      const resolve = thread.waiting.get(answer.id);
      thread.waiting.delete(answer.id);
      thread.busy -= 1;
      resolve?.(answer.results);
      pump();
    });
    worker.on('error', (error) => log.warn(`push: a send thread failed: ${error.message}`));
    worker.on('exit', () => {
      threads.splice(threads.indexOf(thread), 1);
      failAll(thread, 'the send thread stopped');
      pump();
    });
    worker.unref();
    threads.push(thread);
    return thread;
  };

  const stopIdle = () => {
    idle = null;
    if (queue.length > 0 || threads.some((thread) => thread.busy > 0)) return;
    for (const thread of [...threads]) void thread.worker.terminate();
  };

  function pump(): void {
    while (queue.length > 0 && !closed) {
      if (threads.length < size && threads.every((thread) => thread.busy > 0)) start();
      const thread = threads.reduce<Thread | null>((best, candidate) => (!best || candidate.busy < best.busy ? candidate : best), null);
      if (!thread || thread.busy >= BATCHES_PER_THREAD) break;
      const { batch, resolve } = queue.shift() as Queued;
      thread.busy += 1;
      thread.waiting.set(batch.id, (results) => resolve(results.slice(0, batch.items.length)));
      thread.worker.postMessage(batch);
    }
    if (idle) clearTimeout(idle);
    idle = setTimeout(stopIdle, IDLE_STOP_MS);
    idle.unref();
  }

  return {
    async send(items, options) {
      const batches: Promise<Delivery[]>[] = [];
      for (let from = 0; from < items.length; from += BATCH_SIZE) {
        const batch: SendBatch = { id: nextId++, options, items: items.slice(from, from + BATCH_SIZE) };
        batches.push(new Promise((resolve) => queue.push({ batch, resolve })));
      }
      pump();
      return (await Promise.all(batches)).flat();
    },
    async close() {
      closed = true;
      if (idle) clearTimeout(idle);
      for (const { resolve, batch } of queue.splice(0))
        resolve(batch.items.map(() => ({ outcome: 'retry', status: null, retryAfterMs: null, reason: 'the server is stopping' })));
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}
