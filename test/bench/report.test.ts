import { describe, expect, it } from 'vitest';
import { mountOf, quantileOf } from '../../bench/disk';
import type { CatchupResult, IdleResult, Integrity, ThroughputResult } from '../../bench/load/types';
import { fmtMed, toMarkdown } from '../../bench/report/markdown';
import type { IdleRun, InRun, RawResults, RawServerRuns, ServerSetup } from '../../bench/report/raw';
import { medianOf } from '../../bench/report/stats';
import { summarize } from '../../bench/report/summarize';
import { serverEnv } from '../../bench/servers';

const integrity = (acked: number, faults: Partial<Integrity> = {}): Integrity => ({
  acked,
  lost: 0,
  duplicated: 0,
  duplicateAcks: 0,
  ackErrors: 0,
  unackedDeliveries: 0,
  examples: [],
  ...faults,
});

function throughput(run: number, ackedPerSec: number, options: { faults?: Partial<Integrity>; drainTimedOut?: boolean } = {}) {
  const latency = { p50: 5, p99: 20, max: 30, samples: 100 };
  const result: InRun<ThroughputResult> = {
    kind: 'throughput',
    run,
    ackedPerSec,
    deliveriesPerSec: ackedPerSec * 10,
    ack: latency,
    delivery: latency,
    integrity: integrity(1000, options.faults),
    connectMs: 50,
    drainTimedOut: options.drainTimedOut ?? false,
  };
  return result;
}

const catchup = (run: number, missed: number, ms: number | null): InRun<CatchupResult> => ({
  kind: 'catchup',
  run,
  missed,
  received: ms === null ? 0 : missed,
  duplicates: 0,
  ms,
  ...(ms === null ? { error: 'timed out after 60000 ms' } : {}),
});

function idle(run: number, rssMB: number[]): IdleRun {
  const processes: IdleResult['processes'] = rssMB.map((mb, index) => ({
    pid: 100 + index,
    role: rssMB.length === 1 ? 'process' : index === 0 ? 'primary' : 'worker',
    rss: mb * 1e6,
    pss: mb * 0.4e6,
    uss: mb * 0.3e6,
  }));
  return {
    kind: 'idle',
    run,
    clients: 10,
    connectMs: 40,
    processes,
    // Right after the clients synced, before V8's idle collections: 10 MB more per process.
    processesAtSettle: processes.map((process) => ({ ...process, rss: process.rss + 10e6 })),
    idleMs: 20_000,
    workers: rssMB.length === 1 ? 1 : rssMB.length - 1,
    firstHealthyMs: 900,
    allHealthyMs: 1000,
  };
}

const healthy: Record<string, ServerSetup[]> = {
  ours: [
    {
      command: 'build/server/index.js',
      workers: 2,
      env: {},
      healthz: { ok: true, store: 'sqlite', sqliteSync: 'FULL', workers: 2, rateLimit: null },
      starts: 9,
    },
  ],
};

/** Three complete runs of ingest and catch-up for ours, the tutorial and the null cluster. */
function completeRaw(): RawResults {
  const server = (ingest: number[], catchupMs: number[] = []): RawServerRuns => ({
    ingest: ingest.map((rate, index) => throughput(index + 1, rate)),
    fanout: [],
    ladder: [],
    catchup: {},
    catchupRestarted: catchupMs.length ? { '10000': catchupMs.map((ms, index) => catchup(index + 1, 10_000, ms)) } : {},
  });
  const ours = server([10_000, 11_000, 9_000], [20, 25, 22]);
  ours.catchup = { '10000': [catchup(1, 10_000, 8), catchup(2, 10_000, 9), catchup(3, 10_000, 7)] };
  ours.idle = [idle(1, [55, 70, 71]), idle(2, [54, 71, 70]), idle(3, [56, 69, 72])];
  return {
    startedAt: '2026-11-30T00:00:00.000Z',
    mode: 'full',
    runs: 3,
    machine: { cores: 2, memoryGiB: 24, node: 'v20' },
    settings: {},
    plan: { kinds: ['ours', 'tutorial', 'null-cluster'], scenarios: ['idle', 'ingest', 'catchup'], catchupSizes: [10_000] },
    servers: {
      ours,
      tutorial: { ...server([1_000, 600, 1_200], [250, 230, 210]), idle: [idle(1, [68]), idle(2, [68]), idle(3, [69])] },
      'null-cluster': { ...server([12_000, 13_000, 11_000]), idle: [idle(1, [57, 59, 59]), idle(2, [57, 59, 59]), idle(3, [57, 59, 59])] },
    },
    client: null,
    errors: [],
    setup: healthy,
  };
}

const row = (raw: RawResults, start: string) => {
  const found = summarize(raw, 2000, '10000').targets.find((target) => target.target.startsWith(start));
  if (!found) throw new Error(`no target starting with ${start}`);
  return found;
};

describe('bench report', () => {
  it('takes medians that say how many runs they came from and how far the runs spread', () => {
    expect(medianOf([3, null, 1, undefined])).toEqual({ value: 2, n: 2, min: 1, max: 3 });
    expect(medianOf([])).toEqual({ value: null, n: 0, min: null, max: null });
    expect(fmtMed(medianOf([1000, 600, 1200]))).toBe('1,000 (600–1,200)');
    expect(fmtMed(medianOf([1000]))).toBe('1,000');
    const summary = summarize(completeRaw(), 2000, '10000');
    expect(summary.servers.tutorial?.ingest.ackedPerSec).toEqual({ value: 1000, n: 3, min: 600, max: 1200 });
    expect(summary.servers.ours?.catchupRestartedMs['10000']?.n).toBe(3);
  });

  it('passes a complete run, and states every ratio against the null cluster and the tutorial', () => {
    const raw = completeRaw();
    const summary = summarize(raw, 2000, '10000');
    expect(summary.problems).toEqual([]);
    expect(row(raw, 'Ingest at 10 clients ≥ 8× tutorial')).toMatchObject({ pass: true, runs: 'ours 3/3, tutorial 3/3' });
    expect(row(raw, 'Ingest at 10 clients ≥ 8× tutorial').value).toContain("the tutorial's 3 runs 600–1,200");
    expect(row(raw, 'Ingest at 10 clients ≥ 0.5× null cluster')).toMatchObject({ pass: true, runs: 'ours 3/3, null cluster 3/3' });
    const markdown = toMarkdown(raw, summary, 'settings');
    expect(markdown).toContain('**Verdict: every planned run completed.**');
    expect(markdown).toContain('| ingest | runs | 3 of 3 | 3 of 3 | — | 3 of 3 |');
  });

  it('fails the report, and every target that uses it, when a planned run failed', () => {
    const raw = completeRaw();
    raw.servers.ours?.ingest.pop();
    raw.errors.push('ours ingest run 3: load job throughput failed (exit null): killed');
    const summary = summarize(raw, 2000, '10000');
    expect(summary.problems).toContain('ours ingest run 3: load job throughput failed (exit null): killed');
    expect(summary.problems).toContain('ours ingest: 2 of 3 runs completed');
    const ingest = row(raw, 'Ingest at 10 clients ≥ 8× tutorial');
    expect(ingest.pass).toBe(false);
    expect(ingest.value).toContain('ours from 2 of 3 runs');
    expect(toMarkdown(raw, summary, 'settings')).toContain('**Verdict: FAIL.**');
  });

  it("judges mixed ingest and receipts by each run's own ratio of its shapes taking turns, and older reports by separate runs", () => {
    const shaped = (run: number, send: number, mixed: number, ticks: number, receipts = 40): InRun<ThroughputResult> => {
      const rates = (ops: number, acked = ops, shapeReceipts = 0) => ({
        ms: 10_000,
        opsPerSec: ops,
        ackedPerSec: acked,
        ackP99: 20,
        receipts: shapeReceipts,
      });
      return {
        ...throughput(run, send),
        changes: { acked: 3_000, errors: 0 },
        shapes: { send: rates(send), mixed: rates(mixed, mixed * 0.7), ticks: rates(ticks, ticks, receipts) },
      };
    };
    const raw = completeRaw();
    raw.plan = { kinds: ['ours', 'tutorial', 'null-cluster'], scenarios: ['idle', 'ingest', 'changes', 'catchup'], catchupSizes: [10_000] };
    const ours = raw.servers.ours;
    if (!ours) throw new Error('no ours');
    // The machine's speed moves every shape of a run together (sends only at 8,100, 6,500, 9,000): each run's own
    // ratio is what the targets read, mixed 0.95, 0.92, 0.97 and with receipts 0.98, 0.96, 0.99.
    ours.shapes = [shaped(1, 8_100, 7_700, 7_940), shaped(2, 6_500, 6_000, 6_240), shaped(3, 9_000, 8_730, 8_910)];
    expect(row(raw, 'Mixed ingest')).toMatchObject({ pass: true, runs: 'ours 3/3' });
    expect(row(raw, 'Mixed ingest').value).toContain("0.95× (7,700 vs 8,100 ops/s; median of the runs' own ratios, 3 runs 0.92–0.97)");
    expect(row(raw, 'Ingest with delivered receipts')).toMatchObject({ pass: true });
    expect(row(raw, 'Ingest with delivered receipts').value).toMatch(/^0\.98× /);
    expect(summarize(raw, 2000, '10000').problems).toEqual([]);

    // A run whose receipts phases sent nothing measured sends against sends.
    ours.shapes[1] = shaped(2, 6_500, 6_000, 6_240, 0);
    expect(summarize(raw, 2000, '10000').problems).toContain('ours ingest shapes run 2: its receipts phases sent no room:delivered');
    ours.shapes.pop();
    expect(row(raw, 'Mixed ingest')).toMatchObject({ pass: false });
    expect(row(raw, 'Mixed ingest').value).toContain('ours from 2 of 3 runs');

    // Stored before the shapes took turns: the ratio of the separate runs' medians to send-only ingest's (10,000).
    delete ours.shapes;
    ours.mixed = [9_000, 8_000, 9_500].map((ops, index) => ({ ...throughput(index + 1, ops * 0.7), opsPerSec: ops }));
    ours.ticks = [9_600, 9_700, 9_400].map((acked, index) => throughput(index + 1, acked));
    expect(row(raw, 'Mixed ingest')).toMatchObject({ pass: true });
    expect(row(raw, 'Mixed ingest').value).toContain('0.90× (9,000 vs 10,000 ops/s; separate runs, ratio of the medians)');
    expect(row(raw, 'Ingest with delivered receipts')).toMatchObject({ pass: true });
    expect(summarize(raw, 2000, '10000').problems).toEqual([]);
  });

  it('judges the connection storm of the steps to 5,000 and 10,000 against the null cluster, by median', () => {
    const latency = { p50: 5, p99: 20, max: 30, samples: 100 };
    const ladder = (run: number, connectMs: Record<number, number>) => ({
      kind: 'ladder' as const,
      run,
      baselineRss: 50e6,
      steps: [2000, 5000, 10_000].map((clients) => ({
        clients,
        connectMs: connectMs[clients] ?? 1000,
        serverRss: 100e6 + clients * 20_000,
        ack: latency,
        delivery: latency,
        integrity: integrity(100),
        drainTimedOut: false,
      })),
    });
    const raw = completeRaw();
    const { ours, tutorial } = raw.servers;
    const ceiling = raw.servers['null-cluster'];
    if (!raw.plan || !ours || !tutorial || !ceiling) throw new Error('the complete run has a plan and three servers');
    raw.plan.scenarios.push('ladder');
    ours.ladder = [
      ladder(1, { 5000: 4000, 10_000: 9000 }),
      ladder(2, { 5000: 4400, 10_000: 20_000 }),
      ladder(3, { 5000: 4200, 10_000: 8000 }),
    ];
    ceiling.ladder = [1, 2, 3].map((run) => ladder(run, { 5000: 3000, 10_000: 5000 }));
    tutorial.ladder = [1, 2, 3].map((run) => ladder(run, {}));
    expect(row(raw, 'Connection storm: 3,000 clients connect and catch up at once onto 2,000')).toMatchObject({
      pass: true,
      value: "1.40× (4,200 vs 3,000 ms; median of the runs' ratios 1.33×, 1.47×, 1.40×)",
    });
    expect(row(raw, 'Connection storm: 5,000 clients connect and catch up at once onto 5,000')).toMatchObject({
      pass: false,
      value: "1.80× (9,000 vs 5,000 ms; median of the runs' ratios 1.80×, 4.00×, 1.60×)",
    });
  });

  it('fails the report on a timed-out catch-up, and judges catch-up on the restarted server, not the warm one', () => {
    const raw = completeRaw();
    expect(row(raw, 'Catch-up of 10,000 after a restart')).toMatchObject({ pass: true, value: '10.45× (22 vs 230 ms)' });
    // #17 asks ten times the tutorial's speed: 8× is not enough.
    const tutorialRuns = raw.servers.tutorial?.catchupRestarted?.['10000'];
    if (tutorialRuns) for (const [index, ms] of [200, 180, 160].entries()) tutorialRuns[index] = catchup(index + 1, 10_000, ms);
    expect(row(raw, 'Catch-up of 10,000 after a restart')).toMatchObject({ pass: false, value: '8.18× (22 vs 180 ms)' });
    if (tutorialRuns) for (const [index, ms] of [250, 230, 210].entries()) tutorialRuns[index] = catchup(index + 1, 10_000, ms);
    const restarted = raw.servers.ours?.catchupRestarted?.['10000'];
    if (restarted) restarted[1] = catchup(2, 10_000, null);
    const summary = summarize(raw, 2000, '10000');
    expect(summary.problems).toContain('ours catch-up of 10000 (after restart): 2 of 3 runs completed');
    expect(summary.problems).toContain('ours catch-up of 10000 (after restart) run 2: timed out after 60000 ms');
    expect(row(raw, 'Catch-up of 10,000 after a restart').pass).toBe(false);
  });

  it('fails integrity on ack errors and drain timeouts, and the report on a partial run', () => {
    const raw = completeRaw();
    const ours = raw.servers.ours;
    if (!ours) throw new Error('fixture');
    ours.ingest[0] = throughput(1, 10_000, { faults: { ackErrors: 2 } });
    expect(row(raw, 'Zero lost').pass).toBe(false);
    ours.ingest[0] = throughput(1, 10_000, { drainTimedOut: true });
    expect(row(raw, 'Zero lost')).toMatchObject({ pass: false, value: expect.stringContaining('1 drain timeouts') });
    expect(summarize(raw, 2000, '10000').problems).toContain('ours ingest run 1: the drain timed out with deliveries still missing');
    ours.ingest[0] = throughput(1, 10_000);
    expect(row(raw, 'Zero lost').pass).toBe(true);
  });

  it('holds idle memory to 200 MB in total and 70 MB for the primary, and start-up to 2 s', () => {
    const raw = completeRaw();
    expect(row(raw, 'Idle RSS, primary')).toMatchObject({
      pass: true,
      value: expect.stringMatching(/^196\.0 MB after 20 s idle \(PSS 78\.4, USS 58\.8 MB\); 226\.0 MB right after the clients synced/),
    });
    expect(row(raw, 'Idle RSS of the primary')).toMatchObject({ pass: true, value: '55.0 MB' });
    expect(row(raw, 'node start → first /healthz 200')).toMatchObject({ pass: true });
    const ours = raw.servers.ours;
    if (ours) ours.idle = [idle(1, [75, 70, 71]), idle(2, [74, 71, 70]), idle(3, [76, 69, 72])];
    expect(row(raw, 'Idle RSS, primary').pass).toBe(false);
    expect(row(raw, 'Idle RSS of the primary').pass).toBe(false);
    // A worker missing from the measurement is a partial run, not a smaller footprint.
    if (ours) ours.idle = [idle(1, [55, 70, 71]), idle(2, [54, 71, 70]), { ...idle(3, [56, 69]), workers: 2 }];
    expect(summarize(raw, 2000, '10000').problems).toEqual(['ours idle memory run 3: 2 processes measured, 3 expected']);
  });

  it('fails the report when a server ran with other settings than the report states', () => {
    const raw = completeRaw();
    raw.setup = {
      ours: [
        {
          command: 'build/server/index.js',
          workers: 2,
          env: {},
          healthz: { ok: true, store: 'sqlite', sqliteSync: 'NORMAL', workers: 2, rateLimit: null },
          starts: 1,
        },
      ],
    };
    expect(summarize(raw, 2000, '10000').problems).toEqual(['ours ran with sqliteSync="NORMAL"; the report states sqliteSync="FULL"']);
  });

  it('reads results stored before plans existed without inventing missing runs', () => {
    const raw = completeRaw();
    delete raw.plan;
    delete raw.setup;
    const summary = summarize(raw, 2000, '10000');
    expect(summary.problems).toEqual([]);
    expect(row(raw, 'Ingest at 10 clients ≥ 8× tutorial').pass).toBe(true);
  });

  it('gives servers only the environment it names, nothing inherited', () => {
    const env = serverEnv(
      { PATH: '/bin', HOME: '/root', CHAT_SQLITE_SYNC: 'NORMAL', CHAT_DATABASE_URL: 'postgres://x', NODE_OPTIONS: '--inspect' },
      { port: 4000, dbPath: '/tmp/x/chat.db', workers: 2, staticDir: '/repo/dist' },
    );
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/root',
      PORT: '4000',
      HOST: '127.0.0.1',
      CHAT_DB: '/tmp/x/chat.db',
      WORKERS: '2',
      CHAT_RATE_LIMIT: '0',
      CHAT_CATCHUP_CAP: '10000000',
      CHAT_STATIC_DIR: '/repo/dist',
    });
  });

  it('finds the filesystem of a directory in /proc/mounts, and fsync quantiles by nearest rank', () => {
    const mounts = ['/dev/vda / ext4 rw,relatime 0 0', 'tmpfs /tmp tmpfs rw,nosuid 0 0', '/dev/vdb /tmp/with\\040space xfs rw 0 0'].join(
      '\n',
    );
    expect(mountOf('/tmp/bench-x', mounts)).toMatchObject({ mountPoint: '/tmp', fsType: 'tmpfs' });
    expect(mountOf('/tmpfoo', mounts)).toMatchObject({ mountPoint: '/', fsType: 'ext4' });
    expect(mountOf('/tmp/with space/db', mounts)).toMatchObject({ fsType: 'xfs' });
    const sorted = Array.from({ length: 200 }, (_unused, index) => index + 1);
    expect(quantileOf(sorted, 0.5)).toBe(100);
    expect(quantileOf(sorted, 0.99)).toBe(198);
    expect(quantileOf([], 0.5)).toBeNull();
  });
  it('reads the PWA against the null PWA measured on the same Chromium: Lighthouse and the offline warm reload', () => {
    const raw = completeRaw();
    const page = (performance: number, ms: number[]) => ({
      lighthouse: {
        status: 'ok' as const,
        scores: { performance, accessibility: 100, 'best-practices': 100 },
        timings: { fcp: 1500, lcp: 2300, tbt: 230, si: 1500, cls: 0 },
        runs: 3,
        performanceRuns: [performance, performance + 1, performance - 2],
        tbtRuns: [230, 180, 410],
      },
      offline: { status: 'ok' as const, ms: [...ms].sort((a, b) => a - b)[1], runs: ms },
    });
    raw.client = {
      bundle: { status: 'ok', jsGzipBytes: 70_000, cssGzipBytes: 6_000, scripts: ['index.js'], styles: ['index.css'] },
      ...page(88, [230, 180, 305]),
      floor: page(99, [74, 67, 118]),
      chromium: 'Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)',
    };
    expect(row(raw, 'Lighthouse mobile performance = 100 (#17)')).toMatchObject({
      value: '88 (the null PWA on the same Chromium: 99)',
      pass: false,
    });
    expect(row(raw, 'Lighthouse mobile accessibility = 100 (#17)')).toMatchObject({ pass: true });
    const withPerformance = (score: number) => ({
      ...raw,
      client: raw.client && { ...raw.client, lighthouse: page(score, [90]).lighthouse },
    });
    expect(row(withPerformance(99), 'Lighthouse mobile performance = 100 (#17)')).toMatchObject({ pass: false });
    expect(row(withPerformance(100), 'Lighthouse mobile performance = 100 (#17)')).toMatchObject({ pass: true });
    expect(row(raw, 'Offline warm reload → enabled composer ≤ 100 ms')).toMatchObject({
      value: '230 ms (the null PWA: 74 ms, 3.11×)',
      runs: '3',
      pass: false,
    });
    const markdown = toMarkdown(raw, summarize(raw, 2000, '10000'), 'settings');
    expect(markdown).toContain('| offline warm reload → "Message" textbox enabled, null PWA | 74 ms (median of 3: 74, 67, 118) |');
    // The page loads follow the browser build too: the report says which one ran them.
    expect(markdown).toContain('| browser | Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm) |');
    // Each run beside the median: a score that flips between runs reads differently from one that never moved.
    expect(markdown).toContain('| Lighthouse mobile performance (median of 3) | 88 (runs 88, 89, 86) |');
    expect(markdown).toContain('| Lighthouse mobile accessibility (median of 3) | 100 |');
    expect(markdown).toContain(
      "| Lighthouse's performance inputs: FCP / LCP / TBT / Speed Index (ms), CLS | 1,500 / 2,300 / 230 / 1,500, 0.000 (TBT of each run 230, 180, 410) |",
    );
  });
});
