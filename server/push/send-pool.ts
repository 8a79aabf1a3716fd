/**
 * The processes that make this server process's pushes (send-process.ts), started on the first
 * push and stopped after a quiet minute, so a server that pushes nothing holds none. The sender
 * hands them batches; each goes to the process with the least work, at most two batches each at
 * once, the rest waiting here. The event loop keeps only the store work: the encryption (a P-256
 * key pair and ECDH per push) and the HTTP of a 10,000-device fan-out run beside it, one process
 * per core but one, in Linux's idle scheduling class (fork-at-idle-priority.ts; see also
 * send-process.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PushSubscriptionRecord } from '../store/push-store';
import type { DeliverOptions, Delivery } from './deliver';
import { forkAtIdlePriority, probeIdlePriority } from '../fork-at-idle-priority';
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
const BATCHES_PER_PROCESS = 2;
const IDLE_STOP_MS = 60_000;
const MAX_PROCESSES = 4;

/**
 * One process per core but one, at least one: the core left over is the event loops'. With every
 * core encrypting (even at idle priority) the machine ran at 98% and other senders' ack p99 was
 * 2× its value without pushes; with one core left it stays within 1.25× (bench `push`, 2 cores,
 * 1,450–1,530 pushes/s instead of 1,900–2,300).
 */
export function sendProcessesFor(cores: number): number {
  return Math.min(MAX_PROCESSES, Math.max(1, cores - 1));
}

/**
 * The process: built, a file under push/ beside the bundle's chunks; from source (tests that run
 * the app in-process, `tsx`), the .ts next to this one with tsx's loader. Detached: a session of
 * its own is what puts it in a scheduling group of its own where the idle class is not available.
 */
function startProcess(): ChildProcess {
  const here = import.meta.url;
  const built = !here.endsWith('.ts');
  const script = fileURLToPath(built ? new URL('./push/send-process.js', here) : new URL('./send-process.ts', here));
  return forkAtIdlePriority(
    script,
    [],
    {
      detached: true,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: built ? [] : ['--import', 'tsx'],
    },
    { anyCore: true },
  );
}

type SendProcess = {
  child: ChildProcess;
  ready: boolean;
  pending: SendBatch[];
  busy: number;
  waiting: Map<number, (results: Delivery[]) => void>;
};
type Queued = { batch: SendBatch; resolve(results: Delivery[]): void };

export function createSendPool(size = sendProcessesFor(availableParallelism())): SendPool {
  const processes: SendProcess[] = [];
  const queue: Queued[] = [];
  let nextId = 1;
  let idle: NodeJS.Timeout | null = null;
  let closed = false;
  void probeIdlePriority();

  const failAll = (sender: SendProcess, reason: string) => {
    for (const [id, resolve] of sender.waiting) {
      sender.waiting.delete(id);
      // The pushes of a batch a process did not finish are tried again later (at least once).
      resolve(new Array(BATCH_SIZE).fill({ outcome: 'retry', status: null, retryAfterMs: null, reason }));
    }
  };

  const start = (): SendProcess => {
    const child = startProcess();
    const sender: SendProcess = { child, ready: false, pending: [], busy: 0, waiting: new Map() };
    child.on('message', (answer: SendBatchResult | 'ready') => {
      if (answer === 'ready') {
        sender.ready = true;
        for (const batch of sender.pending.splice(0)) child.send(batch);
        return;
      }
      const resolve = sender.waiting.get(answer.id);
      sender.waiting.delete(answer.id);
      sender.busy -= 1;
      resolve?.(answer.results);
      pump();
    });
    child.on('error', (error) => log.warn(`push: a send process failed: ${error.message}`));
    child.on('exit', () => {
      if (processes.includes(sender)) processes.splice(processes.indexOf(sender), 1);
      failAll(sender, 'the send process stopped');
      pump();
    });
    // Neither the process nor its channel keeps the server running.
    child.unref();
    child.channel?.unref();
    processes.push(sender);
    return sender;
  };

  const stopIdle = () => {
    idle = null;
    if (queue.length > 0 || processes.some((sender) => sender.busy > 0)) return;
    for (const sender of [...processes]) sender.child.kill();
  };

  function pump(): void {
    while (queue.length > 0 && !closed) {
      if (processes.length < size && processes.every((sender) => sender.busy > 0)) start();
      const sender = processes.reduce<SendProcess | null>(
        (best, candidate) => (!best || candidate.busy < best.busy ? candidate : best),
        null,
      );
      if (!sender || sender.busy >= BATCHES_PER_PROCESS) break;
      const { batch, resolve } = queue.shift() as Queued;
      sender.busy += 1;
      sender.waiting.set(batch.id, (results) => resolve(results.slice(0, batch.items.length)));
      if (sender.ready) sender.child.send(batch);
      else sender.pending.push(batch);
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
      await Promise.all(
        processes.map(async (sender) => {
          if (sender.child.exitCode !== null || sender.child.signalCode !== null) return;
          const exited = new Promise((resolve) => sender.child.once('exit', resolve));
          sender.child.kill();
          await exited;
        }),
      );
    },
  };
}
