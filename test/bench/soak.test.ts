/** The soak's verdict (RSS slope, ack p99 against the warm-up), its problems, the seq bookkeeping of its clients, and bytes per message. */
import { describe, expect, it } from 'vitest';
import { SeqSet } from '../../bench/load/seq-set';
import type { CatchupResult, Latency, SoakMinute, SoakResult, ThroughputResult } from '../../bench/load/types';
import { toMarkdown } from '../../bench/report/markdown';
import type { RawResults } from '../../bench/report/raw';
import { leastSquaresSlope, soakDrift, soakProblems, soakTargets } from '../../bench/report/soak';
import { summarize } from '../../bench/report/summarize';
import { readPerCatchupMessage, readPerDelivery, receivedPerDelivery, writtenPerSend } from '../../bench/report/wire';

const latency = (p99: number | null): Latency => ({ p50: p99 === null ? null : p99 / 2, p99, max: p99, samples: p99 === null ? 0 : 1000 });

/** A soak whose RSS follows `rssMB(minute)` (read every 5 s) and whose per-minute ack p99s are `p99s`. */
function soak(p99s: Array<number | null>, rssMB: (minute: number) => number, faults: Partial<SoakResult> = {}): SoakResult {
  const minuteMs = 60_000;
  const samples = Array.from({ length: p99s.length * 12 + 1 }, (_unused, index) => {
    const atMs = index * 5_000;
    return { atMs, rss: rssMB(atMs / minuteMs) * 1e6 };
  });
  const minutes: SoakMinute[] = p99s.map((p99, index) => ({
    minute: index + 1,
    rss: rssMB(index + 0.5) * 1e6,
    rssSamples: 12,
    sent: 6000,
    acked: 6000,
    ack: latency(p99),
    reconnect: latency(80),
  }));
  return {
    kind: 'soak',
    clients: 1000,
    senders: 200,
    connectMs: 3000,
    rate: 100,
    calibration: { ackedPerSec: 260, deliveredPerSec: 200_000, sustainedPerSec: 200, ms: 15_000 },
    minuteMs,
    churnPerMinute: 0.05,
    offlineMs: 5_000,
    sampleMs: 5_000,
    minutes,
    samples,
    sent: 6000 * p99s.length,
    acked: 6000 * p99s.length,
    ackErrors: 0,
    skipped: 0,
    reconnects: 50 * p99s.length,
    reconnectFailures: 0,
    drops: 0,
    examples: [],
    delivery: { clients: 1000, lastSeq: 6000 * p99s.length, missing: 0, duplicates: 12 },
    ...faults,
  };
}

function raw(
  results: RawResults['soak'],
  kinds: RawResults['plan'] = { kinds: ['ours', 'null-cluster'], scenarios: ['soak'], catchupSizes: [] },
): RawResults {
  return {
    startedAt: '2026-12-01T00:00:00.000Z',
    mode: 'full',
    runs: 1,
    machine: { cores: 2, memoryGiB: 24, node: 'v20' },
    settings: {},
    plan: kinds,
    servers: {},
    client: null,
    errors: [],
    ...(results ? { soak: results } : {}),
  };
}

const flat = (minutes: number, p99 = 20) => new Array<number>(minutes).fill(p99);

describe('soak verdict', () => {
  it('fits a least-squares slope, and has none without two distinct x', () => {
    expect(
      leastSquaresSlope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(2);
    // Noise around a line: the slope of the line, not of the last two points.
    expect(
      leastSquaresSlope([
        { x: 0, y: 10 },
        { x: 1, y: 13 },
        { x: 2, y: 10 },
        { x: 3, y: 13 },
        { x: 4, y: 10 },
      ]),
    ).toBeCloseTo(0);
    expect(leastSquaresSlope([{ x: 1, y: 2 }])).toBeNull();
    expect(
      leastSquaresSlope([
        { x: 1, y: 2 },
        { x: 1, y: 5 },
      ]),
    ).toBeNull();
  });

  it('measures RSS growth only after the warm-up, in MB per minute', () => {
    // 200 MB, growing 30 MB a minute for the first 5 minutes (heaps growing), then 0.4 MB a minute.
    const rss = (minute: number) => (minute < 5 ? 200 + 30 * minute : 350 + 0.4 * (minute - 5));
    const drift = soakDrift(soak(flat(30), rss), 5);
    expect(drift.rssSlopeMBPerMin).toBeCloseTo(0.4, 5);
    expect(drift.rssPoints).toBe(25 * 12 + 1);
    // Counted from the start, the warm-up's growth would fail it.
    expect(soakDrift(soak(flat(30), rss), 0).rssSlopeMBPerMin).toBeGreaterThan(1);
  });

  it('compares the median of the later minutes’ ack p99s with the warm-up minutes’ median, showing the worst minute', () => {
    // Warm-up median 20; later minutes mostly 22 with one 90 ms minute (a GC pause, a neighbour's burst).
    const p99s = [30, 20, 18, 20, 25, ...new Array<number>(24).fill(22), 90];
    const drift = soakDrift(
      soak(p99s, () => 300),
      5,
    );
    expect(drift.warmupP99).toBe(20);
    expect(drift.laterP99).toBe(22);
    expect(drift.p99Ratio).toBeCloseTo(1.1);
    expect(drift.worstP99Ratio).toBeCloseTo(4.5);
    expect(drift.laterMinutes).toBe(25);
    // A minute without acks has no p99 and does not count.
    expect(
      soakDrift(
        soak([20, null, 24], () => 300),
        1,
      ).laterP99,
    ).toBe(24);
  });

  it('passes under 1 MB/min and 1.2×, fails at them, and shows the null cluster beside ours', () => {
    const good = raw({
      warmupMinutes: 5,
      results: { ours: soak(flat(30), (minute) => 300 + 0.5 * minute), 'null-cluster': soak(flat(30, 15), () => 180) },
    });
    const [rss, p99, delivery] = soakTargets(good);
    expect(rss).toMatchObject({
      pass: true,
      value: expect.stringMatching(/^\+0\.50 MB\/min over 301 reads; null cluster: \+0\.00 MB\/min$/),
    });
    expect(p99).toMatchObject({
      pass: true,
      value: expect.stringMatching(/^1\.00× \(20\.0 vs 20\.0 ms, worst minute 1\.00×\); null cluster: 1\.00×/),
    });
    expect(delivery?.pass).toBe(true);

    const growing = raw({ warmupMinutes: 5, results: { ours: soak(flat(30), (minute) => 300 + 1.05 * minute) } });
    expect(soakTargets(growing)[0]?.pass).toBe(false);
    const slower = raw({ warmupMinutes: 5, results: { ours: soak([...flat(5, 20), ...flat(25, 24.2)], () => 300) } });
    expect(soakTargets(slower)[1]).toMatchObject({ pass: false, value: expect.stringContaining('1.21×') });
    const atLimit = raw({ warmupMinutes: 5, results: { ours: soak([...flat(5, 20), ...flat(25, 24)], () => 300) } });
    expect(soakTargets(atLimit)[1]?.pass).toBe(true);
  });

  it('fails delivery on a message a reconnecting client never got, and the report on a partial soak', () => {
    const lost = soak(flat(3), () => 300, { delivery: { clients: 1000, lastSeq: 18_000, missing: 2, duplicates: 0 } });
    expect(soakTargets(raw({ warmupMinutes: 1, results: { ours: lost } }))[2]?.pass).toBe(false);
    const partial = soak(flat(3), () => 300, {
      ackErrors: 3,
      skipped: 10,
      reconnectFailures: 1,
      drops: 2,
      examples: ['client 7 reconnect failed: timeout'],
    });
    const report = raw({ warmupMinutes: 1, results: { ours: partial } });
    expect(soakProblems(report)).toEqual([
      'ours soak: 3 sends got no positive ack',
      'ours soak: 10 sends skipped, the backlog of unacked sends full (the server fell behind the rate)',
      'ours soak: 1 reconnects failed, 2 connections dropped without the client closing them (client 7 reconnect failed: timeout)',
      'null-cluster soak: not completed',
    ]);
    expect(soakTargets(report)[2]?.pass).toBe(false);
    expect(summarize(report, 2000, '10000').problems).toContain('null-cluster soak: not completed');
  });

  it('adds nothing when the soak was not planned, and fails when ours was planned and did not finish', () => {
    expect(soakTargets(raw(undefined, { kinds: ['ours'], scenarios: ['ingest'], catchupSizes: [] }))).toEqual([]);
    expect(soakProblems(raw(undefined, { kinds: ['tutorial'], scenarios: ['soak'], catchupSizes: [] }))).toEqual([]);
    expect(soakTargets(raw(undefined))).toEqual([expect.objectContaining({ pass: false, value: 'failed (see the errors)' })]);
  });

  it('writes a per-minute table of both servers, marking the warm-up, with the definitions stated', () => {
    const ours = soak([25, 20, 21], (minute) => 300 + minute);
    // Ours also reports its own ack times and the load process's loop delay; the null cluster has no metrics.
    ours.minutes.forEach((minute, index) => Object.assign(minute, { serverAck: { p50: 4, p99: [8, 8, 12][index] }, loadLoopP99: 30 }));
    const report = raw({ warmupMinutes: 1, results: { ours, 'null-cluster': soak([12, 10, 11], () => 180) } });
    const markdown = toMarkdown(report, summarize(report, 2000, '10000'), 'settings');
    expect(markdown).toContain('## Soak (no drift)');
    expect(markdown).toContain(
      "| minute | ours RSS (MB) | ours ack p50 / p99 (ms) | ours server's own ack p50 / p99 (ms) | ours load loop delay p99 (ms) |",
    );
    expect(markdown).toMatch(
      /\| 1 \(warm-up\) \| 300\.5 \| 12\.5 \/ 25\.0 \| 4\.0 \/ 8\.0 \| 30 \| 6,000 \/ 6,000 \| 80 \(1000\) \| 180\.0 \| 6\.0 \/ 12\.0 \| — \| — \|/,
    );
    // Later minutes' server p99s 8 and 12: median 10 against 8 in the warm-up.
    expect(markdown).toContain("the server's own p99 1.25×");
    expect(markdown).toMatch(/\| 3 \| 302\.5 \|/);
    expect(markdown).toContain('median of the later minutes');
    expect(markdown).toContain('100 msg/s: half of the 200 msg/s that the same 200 senders sustained');
    expect(markdown).toContain('the lesser of 260 acked/s and 200,000 deliveries/s ÷ 1,000 clients');
  });
});

describe('soak client seqs', () => {
  it('keeps the cursor at the last seq below which everything arrived, and counts what never did', () => {
    const held = new SeqSet(100);
    expect(held.contiguous).toBe(100);
    for (const seq of [101, 102, 104, 105]) held.add(seq);
    expect(held.contiguous).toBe(102);
    expect(held.missingUpTo(106)).toBe(2); // 103 and 106
    expect(held.add(104)).toBe(false);
    expect(held.duplicates).toBe(1);
    held.add(103);
    expect(held.contiguous).toBe(105);
    // Far beyond the first allocation, and below the base (ignored).
    held.add(100 + 5_000);
    held.add(50);
    expect(held.missingUpTo(5_100)).toBe(5_100 - 105 - 1);
    expect(held.duplicates).toBe(1);
  });
});

describe('bytes on the wire', () => {
  const throughput = (wire: ThroughputResult['wire']): ThroughputResult => ({
    kind: 'throughput',
    ackedPerSec: 1,
    deliveriesPerSec: 1,
    ack: latency(1),
    delivery: latency(1),
    integrity: { acked: 1, lost: 0, duplicated: 0, duplicateAcks: 0, ackErrors: 0, unackedDeliveries: 0, examples: [] },
    connectMs: 1,
    drainTimedOut: false,
    ...(wire ? { wire } : {}),
  });
  it('divides what the clients read by what was delivered to them, per run, and takes the median', () => {
    const runs = [
      throughput({ read: 330_000, written: 20_000, deliveries: 1_000, sends: 100, receiversRead: 270_000, receiverDeliveries: 900 }),
      throughput({ read: 660_000, written: 40_000, deliveries: 2_000, sends: 200, receiversRead: 560_000, receiverDeliveries: 2_000 }),
      throughput(undefined),
    ];
    expect(receivedPerDelivery(runs)).toEqual({ value: 290, n: 2, min: 280, max: 300 });
    expect(readPerDelivery(runs).value).toBe(330);
    expect(writtenPerSend(runs).value).toBe(200);
  });
  it('counts catch-up bytes per missed message, leaving out runs that did not complete', () => {
    const run = (ms: number | null, bytesRead?: number): CatchupResult => ({
      kind: 'catchup',
      missed: 10_000,
      received: 10_000,
      duplicates: 0,
      ms,
      ...(bytesRead === undefined ? {} : { bytesRead }),
    });
    expect(readPerCatchupMessage([run(50, 2_500_000), run(null, 10), run(40)])).toMatchObject({ value: 250, n: 1 });
  });
});
