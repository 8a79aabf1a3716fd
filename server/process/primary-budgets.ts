/**
 * The cluster's budgets live in the primary, so a user whose HTTP requests go
 * round robin and whose sockets sit on several workers still has one budget,
 * not one per worker. Workers ask once per turn of their event loop for all the
 * tokens that turn needs; if the primary does not answer quickly, the worker's
 * own buckets decide, so a busy primary never blocks a send.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Budgets, LocalBudgets } from '../chat/budgets';
import type { RateDecision } from '../chat/rate-limit';
import type { Budget, BudgetLimits } from '../config';
import { createGroupCommit } from '../store/group-commit';
import { ipcMessage, type IpcMessage } from './ipc';

/** Primary: answers the workers' requests from its own buckets. */
export function serveBudgets(budgets: LocalBudgets): void {
  cluster.on('message', (worker: Worker, message: unknown) => {
    const request = ipcMessage(message, 'budget:request');
    if (!request) return;
    const decisions = request.takes.map(([budget, key]) => budgets.take(budget, key));
    const reply: IpcMessage = { type: 'budget:reply', id: request.id, decisions };
    if (worker.isConnected()) worker.send(reply, undefined, () => undefined);
  });
}

type Waiting = { resolve(decisions: RateDecision[]): void; timer: NodeJS.Timeout };

/**
 * Worker: budgets kept by the primary, with `fallback` deciding when it is slow or gone.
 * A budget that is off (null limit) answers here, with no round trip.
 */
export function budgetsThroughPrimary(limits: BudgetLimits, fallback: LocalBudgets, timeoutMs = 250): Budgets {
  let nextId = 1;
  const waiting = new Map<number, Waiting>();

  process.on('message', (message: unknown) => {
    const reply = ipcMessage(message, 'budget:reply');
    const entry = reply && waiting.get(reply.id);
    if (!reply || !entry) return;
    waiting.delete(reply.id);
    clearTimeout(entry.timer);
    entry.resolve(reply.decisions);
  });

  const batches = createGroupCommit<[Budget, string], RateDecision>({
    commit: (takes) =>
      new Promise((resolve) => {
        const local = () => takes.map(([budget, key]) => fallback.take(budget, key));
        if (!process.connected || !process.send) return resolve(local());
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          resolve(local());
        }, timeoutMs);
        waiting.set(id, { resolve, timer });
        process.send({ type: 'budget:request', id, takes } satisfies IpcMessage);
      }),
    concurrency: Number.POSITIVE_INFINITY,
    failure: (error) => (error instanceof Error ? error : new Error(String(error))),
  });
  return { take: (budget, key) => (limits[budget] ? batches.submit([budget, key]) : { ok: true }) };
}
