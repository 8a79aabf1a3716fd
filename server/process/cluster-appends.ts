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
import { createGroupCommit, type BatchOutcomes } from '../store/group-commit';
import { StoreUnavailableError, WriteRefused, type Appender, type Write, type WriteResult } from '../store/store';
import { ipcMessage, type AppendOutcome, type IpcMessage } from './ipc';

/** Primary: commits what the workers send through `appender`, in arrival order. */
export function serveClusterAppends(appender: Appender): void {
  cluster.on('message', (worker: Worker, message: unknown) => {
    const request = ipcMessage(message, 'append:request');
    if (!request) return;
    void Promise.allSettled(request.inputs.map((input) => appender.write(input))).then((settled) => {
      const outcomes = settled.map((outcome): AppendOutcome => {
        if (outcome.status === 'fulfilled') return { ok: true, result: outcome.value };
        const error = outcome.reason as Error;
        const refused = error instanceof WriteRefused ? error.code : undefined;
        return { ok: false, message: error.message, unavailable: error instanceof StoreUnavailableError, ...(refused ? { refused } : {}) };
      });
      // A worker that died meanwhile has nobody left to ack; its clients retry by clientOffset.
      const reply: IpcMessage = { type: 'append:reply', id: request.id, outcomes };
      if (worker.isConnected()) worker.send(reply, undefined, () => undefined);
    });
  });
}

type Waiting = { resolve(outcomes: BatchOutcomes<WriteResult>): void; reject(error: Error): void };

/** Worker: an Appender that sends each turn's appends to the primary as one request, without waiting for earlier replies. */
export function appendThroughPrimary(): Appender {
  let nextId = 1;
  const inFlight = new Map<number, Waiting>();

  process.on('message', (message: unknown) => {
    const reply = ipcMessage(message, 'append:reply');
    const waiting = reply && inFlight.get(reply.id);
    if (!reply || !waiting) return;
    inFlight.delete(reply.id);
    waiting.resolve(
      reply.outcomes.map((outcome) => {
        if (outcome.ok) return outcome.result;
        if (outcome.refused) return new WriteRefused(outcome.refused, outcome.message);
        return outcome.unavailable ? new StoreUnavailableError(outcome.message) : new Error(outcome.message);
      }),
    );
  });
  process.on('disconnect', () => {
    for (const waiting of inFlight.values()) waiting.reject(new Error('the cluster primary is gone'));
    inFlight.clear();
  });

  const group = createGroupCommit<Write, WriteResult>({
    commit: (inputs) =>
      new Promise((resolve, reject) => {
        if (!process.connected || !process.send) throw new Error('the cluster primary is gone');
        const id = nextId++;
        inFlight.set(id, { resolve, reject });
        process.send({ type: 'append:request', id, inputs } satisfies IpcMessage);
      }),
    // The primary batches across workers; a worker just pipelines its requests.
    concurrency: Number.POSITIVE_INFINITY,
    failure: (error) => new StoreUnavailableError((error as Error).message),
  });
  return { write: group.submit, close: group.close };
}
