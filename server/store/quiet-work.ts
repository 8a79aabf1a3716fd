/**
 * Background work that waits for the writer to go quiet: both stores' search indexers run a
 * chunk once commits have paused for `quietMs`, so sends never wait behind them, and the next
 * chunk soon after while there is more. `step` answers the delay before the next step, or null
 * once caught up (the next commit starts it again).
 */
export type QuietWork = {
  /** The writer just committed: put the next step off until it has been quiet for a while. */
  committed(): void;
  stop(): void;
};

export function runWhenQuiet(quietMs: number, step: () => number | null | Promise<number | null>): QuietWork {
  let lastCommit = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function schedule(delayMs: number): void {
    if (timer || stopped) return;
    timer = setTimeout(() => void tick(), delayMs);
    timer.unref();
  }

  async function tick(): Promise<void> {
    timer = undefined;
    const quietFor = Date.now() - lastCommit;
    if (quietFor < quietMs) return schedule(quietMs - quietFor);
    const next = await step();
    if (next !== null) schedule(next);
  }

  schedule(0);
  return {
    committed() {
      lastCommit = Date.now();
      schedule(quietMs);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
