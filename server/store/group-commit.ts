/**
 * Group commit: everything submitted in one turn of the event loop goes into
 * one commit, and each submitter is settled with its own outcome once that
 * commit is done. The SQLite writer, a cluster worker handing its sends to the
 * primary, and the PostgreSQL store all batch through this one queue.
 */

/** Outcome i belongs to input i: a result, or the error that input alone failed with. */
export type BatchOutcomes<R> = Array<R | Error>;

export type GroupCommitOptions<I, R> = {
  /** Commits one batch. Throwing (or rejecting) fails, or retries, the whole batch. */
  commit(batch: I[]): BatchOutcomes<R> | Promise<BatchOutcomes<R>>;
  /** Largest batch (default: no limit). */
  maxBatch?: number;
  /** Commits in flight at once (default 1: the next batch gathers while one commits). */
  concurrency?: number;
  /**
   * A failed commit may be tried again: return a delay in ms to put the batch back at the
   * front of the queue (what arrives meanwhile joins it), or undefined to fail it.
   * `waitedMs` is how long the batch at the front has been retrying.
   */
  retryAfter?(error: unknown, waitedMs: number): number | undefined;
  /**
   * Whether a batch of several that failed for good with this error should have its inputs
   * committed again one at a time, so one bad input (a byte PostgreSQL refuses) fails alone
   * instead of taking the others with it. Not for outages: those would only fail N times slower.
   */
  isolate?(error: unknown): boolean;
  /** What every input of a failed batch (or a submission after close) is rejected with. */
  failure(error: unknown): Error;
};

export type GroupCommit<I, R> = {
  submit(input: I): Promise<R>;
  /** Takes nothing new, commits what is queued, and resolves once nothing is in flight. */
  close(): Promise<void>;
};

type Pending<I, R> = { input: I; resolve(result: R): void; reject(error: Error): void };

export function createGroupCommit<I, R>(options: GroupCommitOptions<I, R>): GroupCommit<I, R> {
  const { maxBatch = Number.POSITIVE_INFINITY, concurrency = 1 } = options;
  let queue: Array<Pending<I, R>> = [];
  /** Inputs of a failed batch, committed one per batch before anything else. */
  let alone: Array<Pending<I, R>> = [];
  let inFlight = 0;
  let immediate: NodeJS.Immediate | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  /** When the batch at the front first failed with a retryable error (0: it has not). */
  let retryingSince = 0;
  let closed = false;
  const idleWaiters: Array<() => void> = [];

  function scheduleFlush(): void {
    // setImmediate runs after the pending I/O callbacks, so everything read in this turn joins the batch.
    if (!immediate && !retryTimer) immediate = setImmediate(flush);
  }

  function scheduleRetry(delayMs: number): void {
    if (immediate) clearImmediate(immediate);
    immediate = undefined;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, delayMs);
  }

  function flush(): void {
    immediate = undefined;
    retryTimer = undefined;
    // A batch put back for a retry sets retryTimer again and ends this loop.
    while ((alone.length > 0 || queue.length > 0) && inFlight < concurrency && !retryTimer) {
      const batch = alone.length > 0 ? alone.splice(0, 1) : queue.splice(0, maxBatch);
      inFlight++;
      run(batch);
    }
    settleIdle();
  }

  function run(batch: Array<Pending<I, R>>): void {
    let result: BatchOutcomes<R> | Promise<BatchOutcomes<R>>;
    try {
      result = options.commit(batch.map((pending) => pending.input));
    } catch (error) {
      return finish(batch, { error });
    }
    if (Array.isArray(result)) return finish(batch, { outcomes: result });
    result.then(
      (outcomes) => finish(batch, { outcomes }),
      (error: unknown) => finish(batch, { error }),
    );
  }

  function finish(batch: Array<Pending<I, R>>, done: { outcomes: BatchOutcomes<R> } | { error: unknown }): void {
    inFlight--;
    if ('error' in done) {
      const waited = Date.now() - (retryingSince ||= Date.now());
      const delay = closed ? undefined : options.retryAfter?.(done.error, waited);
      if (delay !== undefined) {
        queue = batch.concat(queue);
        scheduleRetry(delay);
        return;
      }
      if (batch.length > 1 && options.isolate?.(done.error)) {
        alone = alone.concat(batch);
      } else {
        const failure = options.failure(done.error);
        for (const pending of batch) pending.reject(failure);
      }
    } else {
      batch.forEach((pending, index) => {
        const outcome = done.outcomes[index];
        if (outcome instanceof Error) pending.reject(outcome);
        else pending.resolve(outcome);
      });
    }
    retryingSince = 0;
    if (alone.length > 0 || queue.length > 0) scheduleFlush();
    settleIdle();
  }

  function settleIdle(): void {
    if (alone.length > 0 || queue.length > 0 || inFlight > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  return {
    submit(input) {
      if (closed) return Promise.reject(options.failure(new Error('closed')));
      return new Promise<R>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        scheduleFlush();
      });
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      flush();
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
  };
}
