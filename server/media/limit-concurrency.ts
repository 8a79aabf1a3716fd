/**
 * A small semaphore: at most `limit` jobs of a kind run at once, the rest wait in arrival order.
 * Image re-encodes use all of a core each; bounded, they leave the event loop a core to answer
 * sends with while uploads are processed.
 */
export function limitConcurrency(limit: number): <T>(job: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (job) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await job();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
