/** Delivered receipts are written in batches: one write per burst, each (user, room) once at its highest seq. */
import { describe, expect, it } from 'vitest';
import { createDeliveredBatcher } from '../../../server/chat/delivered-batcher';
import type { DeliveredMark } from '../../../server/store/store';

function recordingStore(answer: (marks: ReadonlyArray<DeliveredMark>) => number[] | Error) {
  const writes: DeliveredMark[][] = [];
  return {
    writes,
    markDeliveredMany: async (marks: ReadonlyArray<DeliveredMark>) => {
      writes.push([...marks]);
      const result = answer(marks);
      if (result instanceof Error) throw result;
      return result;
    },
  };
}

describe('delivered batcher', () => {
  it('writes a burst of marks once, keeping each user and room at its highest seq, and answers every caller', async () => {
    const store = recordingStore((marks) => marks.map((mark) => Math.min(mark.seq, 40)));
    const batcher = createDeliveredBatcher(store, 5);
    const answers = await Promise.all([
      batcher.mark('ana', 'general', 10),
      batcher.mark('ana', 'general', 30),
      batcher.mark('ana', 'general', 20),
      batcher.mark('bob', 'general', 50),
      batcher.mark('ana', 'design', 3),
    ]);
    expect(store.writes).toEqual([
      [
        { userId: 'ana', room: 'general', seq: 30 },
        { userId: 'bob', room: 'general', seq: 50 },
        { userId: 'ana', room: 'design', seq: 3 },
      ],
    ]);
    // Every caller of a key gets the cursor as stored (clamped by the store to the room's last seq).
    expect(answers).toEqual([30, 30, 30, 40, 3]);

    await batcher.mark('ana', 'general', 31);
    expect(store.writes).toHaveLength(2);
  });

  it('rejects every caller of a batch whose write fails, and writes the next batch anew', async () => {
    let fail = true;
    const store = recordingStore((marks) => (fail ? new Error('disk gone') : marks.map((mark) => mark.seq)));
    const batcher = createDeliveredBatcher(store, 5);
    const results = await Promise.allSettled([batcher.mark('ana', 'general', 1), batcher.mark('bob', 'general', 2)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.mark('ana', 'general', 1)).toBe(1);
  });

  it('keeps prototype-named users and rooms apart (keys are data, not properties)', async () => {
    const store = recordingStore((marks) => marks.map((mark) => mark.seq));
    const batcher = createDeliveredBatcher(store, 5);
    await Promise.all([batcher.mark('__proto__', 'constructor', 1), batcher.mark('constructor', '__proto__', 2)]);
    expect(store.writes[0]).toHaveLength(2);
  });
});
