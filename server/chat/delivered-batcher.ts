/**
 * Delivered receipts, batched: every client says "I have up to seq N" as messages
 * reach it, so a busy room would cost one write transaction (one fsync) per client
 * per batch of messages. Marks are held for a moment, the same (user, room) kept
 * once at its highest seq, and written together; each caller is answered with the
 * cursor as stored. A cursor that is a moment late only delays a tick.
 */
import type { RoomId } from '../../shared/protocol';
import type { DeliveredMark, Store } from '../store/store';

export type DeliveredBatcher = {
  /** Resolves with the stored cursor once the batch holding this mark is written. */
  mark(userId: string, room: RoomId, seq: number): Promise<number>;
  /** Writes what is pending now. */
  flush(): Promise<void>;
};

type Pending = DeliveredMark & { waiters: Array<{ resolve(seq: number): void; reject(error: unknown): void }> };

/** Long enough to gather a burst's receipts into one write, short against how fast a person looks at ticks. */
export const DELIVERED_BATCH_MS = 100;

export function createDeliveredBatcher(store: Pick<Store, 'markDeliveredMany'>, delayMs = DELIVERED_BATCH_MS): DeliveredBatcher {
  // Keyed by user and room joined with NUL, which neither may contain.
  let pending = new Map<string, Pending>();
  let timer: NodeJS.Timeout | undefined;

  async function flush(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending = new Map();
    try {
      const stored = await store.markDeliveredMany(batch.map(({ userId, room, seq }) => ({ userId, room, seq })));
      batch.forEach((entry, index) => entry.waiters.forEach((waiter) => waiter.resolve(stored[index] ?? 0)));
    } catch (error) {
      for (const entry of batch) entry.waiters.forEach((waiter) => waiter.reject(error));
    }
  }

  return {
    mark(userId, room, seq) {
      return new Promise<number>((resolve, reject) => {
        const key = `${userId}\u0000${room}`;
        const entry = pending.get(key);
        if (entry) {
          entry.seq = Math.max(entry.seq, seq);
          entry.waiters.push({ resolve, reject });
        } else {
          pending.set(key, { userId, room, seq, waiters: [{ resolve, reject }] });
        }
        timer ??= setTimeout(() => void flush(), delayMs);
      });
    },
    flush,
  };
}
