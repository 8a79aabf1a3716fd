/**
 * One writer for the SQLite cluster: the primary runs the group commit and the
 * workers hand it their sends over the cluster IPC channel.
 *
 * With every worker committing for itself, their BEGIN IMMEDIATEs collide and
 * each collision costs a wait for the other's commit (a third of all batches
 * under load). One writer never waits, its batches hold the sends of every
 * worker, and no worker's event loop ever blocks on an fsync. Durability is
 * unchanged: a worker acks only after the primary answered that the commit is done.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Appender } from './sqlite-append';
import { StoreUnavailableError, type AppendResult, type NewMessage } from './store';

type AppendRequest = { type: 'append:request'; id: number; inputs: NewMessage[] };
type Outcome = { ok: true; result: AppendResult } | { ok: false; message: string; unavailable: boolean };
type AppendReply = { type: 'append:reply'; id: number; outcomes: Outcome[] };

/** Primary: commits what the workers send through `appender`, in arrival order. */
export function serveClusterAppends(appender: Appender): void {
  cluster.on('message', (worker: Worker, message: unknown) => {
    const request = message as Partial<AppendRequest> | null;
    if (request?.type !== 'append:request' || request.id === undefined || !Array.isArray(request.inputs)) return;
    const id = request.id;
    void Promise.allSettled(request.inputs.map((input) => appender.append(input))).then((settled) => {
      const outcomes = settled.map((outcome): Outcome => {
        if (outcome.status === 'fulfilled') return { ok: true, result: outcome.value };
        const error = outcome.reason as Error;
        return { ok: false, message: error.message, unavailable: error instanceof StoreUnavailableError };
      });
      // A worker that died meanwhile has nobody left to ack; its clients retry by clientOffset.
      if (worker.isConnected()) worker.send({ type: 'append:reply', id, outcomes } satisfies AppendReply, undefined, () => undefined);
    });
  });
}

type Waiting = { resolve: (result: AppendResult) => void; reject: (error: Error) => void };

/** Worker: an Appender that sends each turn's appends to the primary as one request. */
export function appendThroughPrimary(): Appender {
  let nextId = 1;
  let queue: Array<{ input: NewMessage } & Waiting> = [];
  const inFlight = new Map<number, Waiting[]>();
  let drained: (() => void) | undefined;
  let closed = false;

  const failAll = (reason: string) => {
    for (const waiting of inFlight.values()) for (const { reject } of waiting) reject(new StoreUnavailableError(reason));
    inFlight.clear();
    drained?.();
  };

  process.on('message', (message: unknown) => {
    const reply = message as Partial<AppendReply> | null;
    if (reply?.type !== 'append:reply' || reply.id === undefined || !reply.outcomes) return;
    const waiting = inFlight.get(reply.id);
    if (!waiting) return;
    inFlight.delete(reply.id);
    reply.outcomes.forEach((outcome, index) => {
      const { resolve, reject } = waiting[index];
      if (outcome.ok) resolve(outcome.result);
      else reject(outcome.unavailable ? new StoreUnavailableError(outcome.message) : new Error(outcome.message));
    });
    if (inFlight.size === 0) drained?.();
  });
  process.on('disconnect', () => failAll('the cluster primary is gone'));

  const flush = () => {
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    if (!process.connected) {
      for (const { reject } of batch) reject(new StoreUnavailableError('the cluster primary is gone'));
      return;
    }
    const id = nextId++;
    inFlight.set(id, batch);
    process.send?.({ type: 'append:request', id, inputs: batch.map(({ input }) => input) } satisfies AppendRequest);
  };

  return {
    append(input) {
      if (closed) return Promise.reject(new StoreUnavailableError('store is closed'));
      return new Promise<AppendResult>((resolve, reject) => {
        // setImmediate: every send read in this turn of the event loop goes in one request.
        if (queue.push({ input, resolve, reject }) === 1) setImmediate(flush);
      });
    },
    async close() {
      closed = true;
      flush();
      if (inFlight.size > 0) await new Promise<void>((resolve) => (drained = resolve));
    },
  };
}
