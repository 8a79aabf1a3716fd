/** The bench's loopback push service counts one push per member per round, and repeats apart. */
import { afterEach, describe, expect, it } from 'vitest';
import { startPushSink, type PushSink } from '../../bench/load/push-sink';
import { freePort } from '../support/process';

let sink: PushSink | undefined;
afterEach(() => sink?.close());

async function push(port: number, member: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/push/${member}`, { method: 'POST', body: 'x' });
  return response.status;
}

describe('push sink rounds', () => {
  it('takes every member again in the next round, and keeps counting repeats', async () => {
    const port = await freePort();
    sink = await startPushSink(port, 'seed', 3);
    expect(await push(port, 0)).toBe(201);
    expect(await push(port, 1)).toBe(201);
    expect(await push(port, 0)).toBe(201);
    expect([sink.accepted(), sink.duplicates]).toEqual([2, 1]);
    const firstRoundLast = sink.lastAt;
    expect(firstRoundLast).not.toBeNull();

    sink.nextRound();
    expect([sink.accepted(), sink.firstAt, sink.lastAt]).toEqual([0, null, null]);
    expect(await push(port, 0)).toBe(201);
    expect([sink.accepted(), sink.duplicates]).toEqual([1, 1]);
    expect(sink.firstAt).toBeGreaterThanOrEqual(firstRoundLast ?? Infinity);
  });

  it('answers 404 to a member it does not know', async () => {
    const port = await freePort();
    sink = await startPushSink(port, 'seed', 3);
    expect(await push(port, 3)).toBe(404);
    expect(sink.accepted()).toBe(0);
  });
});
