/**
 * Background work that waits for the writer to go quiet: both stores' search indexers run a
 * chunk once commits have paused for `quietMs`, so sends never wait behind them, and the next
 * chunk soon after while there is more. `step` answers the delay before the next step, or null
 * once caught up (the next commit starts it again).
 *
 * Under steady traffic the writer is never quiet for long (a send every 10 ms left the index
 * without a single new message for as long as it went on), so work that has waited MAX_WAIT_MS
 * takes one step anyway: a send may then wait for one chunk, and search lags by about that long.
 */
export type QuietWork = {
  /** The writer just committed: put the next step off until it has been quiet for a while. */
  committed(): void;
  stop(): void;
};

const MAX_WAIT_MS = 1000;

export function runWhenQuiet(quietMs: number, step: () => number | null | Promise<number | null>): QuietWork {
  let lastCommit = 0;
  /** Since when work has been put off (a commit after the last step), or undefined when none is. */
  let waitingSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function schedule(delayMs: number): void {
    if (timer || stopped) return;
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  }

  async function tick(): Promise<void> {
    timer = undefined;
    const now = Date.now();
    const quietFor = now - lastCommit;
    const waited = waitingSince === undefined ? 0 : now - waitingSince;
    if (quietFor < quietMs && waited < MAX_WAIT_MS) return schedule(Math.min(quietMs - quietFor, MAX_WAIT_MS - waited));
    // The next forced step is another MAX_WAIT_MS away, however busy the writer stays.
    waitingSince = undefined;
    const next = await step();
    if (next !== null) schedule(next);
  }

  schedule(0);
  return {
    committed() {
      lastCommit = Date.now();
      waitingSince ??= lastCommit;
      schedule(quietMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/**
 * A SQLite chore on the writer's connection, in chunks: `chunk(limit)` runs one write
 * transaction and answers how much it did. It runs when the writer is quiet and again 5 ms
 * later while it found work; a lock another process holds counts as nothing done (the next
 * quiet moment retries).
 */
export function sqliteChunksWhenQuiet(
  chunk: (limit: number) => number,
  options: { chunk: number; quietMs: number },
): QuietWork & { now(limit?: number): number } {
  function now(limit = options.chunk): number {
    try {
      return chunk(limit);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return 0;
      throw error;
    }
  }
  const work = runWhenQuiet(options.quietMs, () => (now() > 0 ? 5 : null));
  return { ...work, now };
}
