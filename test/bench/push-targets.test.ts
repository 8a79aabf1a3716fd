/** The push target rows of the bench report: pass at ≥ 1,000 pushes/s with every push delivered, and at an ack p99 ratio ≤ 1.5. */
import { describe, expect, it } from 'vitest';
import type { PushBenchResult } from '../../bench/load/types';
import type { RawResults } from '../../bench/report/raw';
import { pushTargets } from '../../bench/report/push-targets';

const latency = (p99: number) => ({ p50: p99 / 2, p99, max: p99, samples: 800 });

function raw(
  push: Partial<PushBenchResult> | null,
  scenarios: RawResults['plan'] = { kinds: ['ours'], scenarios: ['push'], catchupSizes: [] },
): RawResults {
  const result: PushBenchResult = {
    kind: 'push',
    members: 10_000,
    pushes: 10_000,
    pushesPerSec: 1_500,
    firstPushMs: 100,
    lastPushMs: 6_667,
    faults: 0,
    faultExamples: [],
    duplicates: 0,
    ackWithout: latency(4),
    ackWith: latency(5),
    ackErrors: 0,
    sendRate: 200,
    serverCpuMsPerPush: 0.3,
    serverCoresBefore: 0.2,
    serverCoresDuring: 1.5,
    ...push,
  };
  return {
    startedAt: '',
    mode: 'quick',
    runs: 1,
    machine: { cores: 2, memoryGiB: 4, node: 'v20' },
    settings: {},
    servers: {},
    client: null,
    errors: [],
    plan: scenarios,
    ...(push === null ? {} : { push: result }),
  };
}

describe('push targets', () => {
  it('pass when fast enough, complete, and the acks hold', () => {
    expect(pushTargets(raw({})).map((row) => row.pass)).toEqual([true, true]);
  });

  it('fail below 1,000 pushes/s, with a push missing or refused, and above 1.5× the ack p99', () => {
    expect(pushTargets(raw({ pushesPerSec: 999 }))[0].pass).toBe(false);
    expect(pushTargets(raw({ pushes: 9_999 }))[0].pass).toBe(false);
    expect(pushTargets(raw({ faults: 1 }))[0].pass).toBe(false);
    expect(pushTargets(raw({ ackWith: latency(6.1) }))[1].pass).toBe(false);
    expect(pushTargets(raw({ ackErrors: 1 }))[1].pass).toBe(false);
  });

  it('say how many rounds the figures pool, with the rate of each', () => {
    const round = (pushesPerSec: number) => ({
      pushes: 10_000,
      pushesPerSec,
      firstPushMs: 50,
      lastPushMs: 5_000,
      serverCpuMsPerPush: 0.3,
      ackP99: 5,
      serverCoresBefore: 0.2,
      serverCoresDuring: 1.5,
    });
    const [rate, acks] = pushTargets(raw({ rounds: [round(1_400), round(1_500), round(2_000)] }));
    expect(rate.runs).toBe('1 run, 3 rounds');
    expect(rate.value).toContain('the median round');
    expect(rate.value).toContain('rounds 1,400/s, 1,500/s, 2,000/s');
    expect(acks.runs).toBe('1 run, 3 rounds, 800 + 800 acks');
  });

  it('fail when planned but not measured, and are absent when not planned', () => {
    expect(pushTargets(raw(null)).map((row) => row.pass)).toEqual([false]);
    expect(pushTargets(raw({}, { kinds: ['ours'], scenarios: ['ingest'], catchupSizes: [] }))).toEqual([]);
  });
});
