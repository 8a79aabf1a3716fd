/** The scale-out part of the bench report (#17): CPU per message, the ≥ 0.5× target, and the second-machine arithmetic. */
import { describe, expect, it } from 'vitest';
import type { ThroughputResult } from '../../bench/load/types';
import { toMarkdown } from '../../bench/report/markdown';
import { runProblems } from '../../bench/report/problems';
import { expectedRuns, type CpuSplit, type RawResults, type ThroughputRun } from '../../bench/report/raw';
import { cpuPerMessage, scaleOutSection, scaleOutTargets, secondMachineMath, servicesLine } from '../../bench/report/scale-out';
import { summarize } from '../../bench/report/summarize';

const latency = { p50: 5, p99: 20, max: 30, samples: 100 };

function ingest(run: number, ackedPerSec: number, cpu?: Partial<CpuSplit>): ThroughputRun {
  const result: ThroughputResult = {
    kind: 'throughput',
    ackedPerSec,
    deliveriesPerSec: ackedPerSec * 10,
    ack: latency,
    delivery: latency,
    integrity: { acked: 1000, lost: 0, duplicated: 0, duplicateAcks: 0, ackErrors: 0, unackedDeliveries: 0, examples: [] },
    connectMs: 50,
    drainTimedOut: false,
  };
  return {
    ...result,
    run,
    ...(cpu ? { cpu: { instancesMs: [500], postgresMs: null, redisMs: null, machineMs: 2000, wallMs: 1000, acked: 1000, ...cpu } } : {}),
  };
}

const pgSetup = (workers: number, store = 'postgres') => ({
  command: 'build/server/index.js',
  workers,
  env: {},
  healthz: { ok: true, store, sqliteSync: store === 'postgres' ? null : 'FULL', workers, rateLimit: null },
  starts: 3,
});

/** ours (SQLite) at 6,000 msg/s, one PostgreSQL instance at 3,600, two at 3,000, three runs each, with CPU splits. */
function rawWithScaleOut(): RawResults {
  const servers = (rates: number[], cpu: Partial<CpuSplit>) => ({
    ingest: rates.map((rate, index) => ingest(index + 1, rate, cpu)),
    fanout: [],
    ladder: [],
    catchup: {},
  });
  return {
    startedAt: '2026-12-01T00:00:00.000Z',
    mode: 'quick',
    runs: 3,
    machine: { cores: 2, memoryGiB: 24, node: 'v20' },
    settings: { ingest: { clients: 10, senders: 10, window: 8 } },
    plan: { kinds: ['ours', 'ours-pg', 'ours-pg-2'], scenarios: ['ingest'], catchupSizes: [] },
    servers: {
      // Per 1,000 acked: ours 300 ms in its tree; ours-pg 400 + 200 (PostgreSQL) + 100 (Redis); ours-pg-2 250 + 250 across two, 200, 100.
      ours: servers([6_000, 5_000, 7_000], { instancesMs: [300], loadMs: 700, machineMs: 1_800 }),
      'ours-pg': servers([3_600, 3_000, 4_000], { instancesMs: [400], postgresMs: 200, redisMs: 100, loadMs: 600, machineMs: 1_900 }),
      'ours-pg-2': servers([3_000, 2_800, 3_100], { instancesMs: [250, 250], postgresMs: 200, redisMs: 100, machineMs: 1_950 }),
    },
    client: null,
    errors: [],
    setup: {
      ours: [{ ...pgSetup(2, 'sqlite') }],
      'ours-pg': [pgSetup(2)],
      'ours-pg-2': [pgSetup(2)],
    },
  };
}

const target = (raw: RawResults) => {
  const [row] = scaleOutTargets(raw);
  if (!row) throw new Error('no scale-out target');
  return row;
};

describe('bench report: scale-out mode', () => {
  it('splits the CPU of a run per acked message, the rest of the machine being what no part accounts for', () => {
    expect(
      cpuPerMessage({ instancesMs: [300, 200], postgresMs: 150, redisMs: 50, loadMs: 600, machineMs: 1_500, wallMs: 1_000, acked: 1_000 }),
    ).toEqual({ instances: 0.5, postgres: 0.15, redis: 0.05, load: 0.6, rest: 0.2, machine: 1.5 });
    // Outside scale-out mode there is no PostgreSQL or Redis; a load generator that did not say stays in the rest.
    expect(cpuPerMessage({ instancesMs: [400], postgresMs: null, redisMs: null, machineMs: 1_000, wallMs: 1_000, acked: 800 })).toEqual({
      instances: 0.5,
      postgres: null,
      redis: null,
      load: null,
      rest: 0.75,
      machine: 1.25,
    });
    expect(cpuPerMessage({ instancesMs: [1], postgresMs: 1, redisMs: 1, machineMs: 3, wallMs: 1, acked: 0 })).toBeNull();
  });

  it('bounds each layout by its busiest machine: cores × 1,000 ms of CPU a second over the CPU per message there', () => {
    const math = secondMachineMath(2, { instances: 0.4, postgres: 0.2, redis: 0.1 }, { instances: 0.5, postgres: 0.2, redis: 0.1 });
    // One machine: 2,000 / 0.7.
    expect(math.oneMachine).toBeCloseTo(2000 / 0.7, 6);
    // PostgreSQL + Redis apart: min(2,000 / 0.4, 2,000 / 0.3) = 5,000.
    expect(math.servicesApart.bound).toBeCloseTo(5000, 6);
    expect(math.servicesApart.instanceBound).toBeCloseTo(5000, 6);
    expect(math.servicesApart.servicesBound).toBeCloseTo(2000 / 0.3, 6);
    // One instance on each: min(2,000 / (0.25 + 0.3), 2,000 / 0.25) = 3,636.
    expect(math.instanceEach?.bound).toBeCloseTo(2000 / 0.55, 6);
    expect(math.instanceEach?.secondMachine).toBe(8000);
    expect(math.best).toBeCloseTo(5000, 6);
    expect(secondMachineMath(2, { instances: 0.4, postgres: 0.2, redis: 0.1 }, null).instanceEach).toBeNull();
  });

  it('passes the PostgreSQL target at ≥ 0.5× the SQLite cluster, and fails it below or with a run missing', () => {
    const raw = rawWithScaleOut();
    expect(target(raw)).toEqual({
      target: "PostgreSQL mode, one instance: ingest ≥ 0.5× the SQLite cluster's",
      value: "0.60× (3,600 vs 6,000 msg/s; median of the runs' ratios 0.60×, 0.60×, 0.57×)",
      runs: 'ours-pg 3/3, ours 3/3',
      pass: true,
    });
    const slow = rawWithScaleOut();
    const slowPg = slow.servers['ours-pg'];
    if (slowPg) slowPg.ingest = [2_900, 2_950, 2_800].map((rate, index) => ingest(index + 1, rate));
    expect(target(slow)).toMatchObject({
      value: "0.48× (2,900 vs 6,000 msg/s; median of the runs' ratios 0.48×, 0.59×, 0.40×)",
      pass: false,
    });
    // Each run's PostgreSQL ingest is read beside the SQLite one of the same run, a minute apart: here the
    // machine was slower in run 1 for both, and the medians (from different runs) would say 0.49×.
    const drifting = rawWithScaleOut();
    const [driftingSqlite, driftingPg] = [drifting.servers.ours, drifting.servers['ours-pg']];
    if (driftingSqlite) driftingSqlite.ingest = [5_000, 6_000, 7_400].map((rate, index) => ingest(index + 1, rate));
    if (driftingPg) driftingPg.ingest = [2_600, 2_950, 3_800].map((rate, index) => ingest(index + 1, rate));
    expect(target(drifting)).toMatchObject({
      value: "0.51× (2,950 vs 6,000 msg/s; median of the runs' ratios 0.52×, 0.49×, 0.51×)",
      pass: true,
    });
    // Results stored before runs were numbered can only be read from the medians.
    const unnumbered = rawWithScaleOut();
    for (const kind of ['ours', 'ours-pg'] as const) for (const run of unnumbered.servers[kind]?.ingest ?? []) delete run.run;
    expect(target(unnumbered).value).toBe('0.60× (3,600 vs 6,000 msg/s; ratio of the medians)');
    const partial = rawWithScaleOut();
    partial.servers['ours-pg']?.ingest.pop();
    expect(target(partial).pass).toBe(false);
    expect(runProblems(partial)).toContain('ours-pg ingest: 2 of 3 runs completed');
    // Without a scale-out kind in the plan there is no such target.
    const sqliteOnly = rawWithScaleOut();
    sqliteOnly.plan = { kinds: ['ours'], scenarios: ['ingest'], catchupSizes: [] };
    delete sqliteOnly.servers['ours-pg'];
    delete sqliteOnly.servers['ours-pg-2'];
    expect(scaleOutTargets(sqliteOnly)).toEqual([]);
    expect(scaleOutSection(sqliteOnly)).toEqual([]);
    // Nor when the ingest was not planned (a fan-out-only run).
    const fanoutOnly = rawWithScaleOut();
    fanoutOnly.plan = { kinds: ['ours', 'ours-pg'], scenarios: ['fanout'], catchupSizes: [] };
    expect(scaleOutTargets(fanoutOnly)).toEqual([]);
    expect(scaleOutSection(fanoutOnly)).toEqual([]);
  });

  it('plans the scale-out kinds for the ingest and the fan-out alone, and holds them to the settings the report states', () => {
    const raw = rawWithScaleOut();
    raw.plan = {
      kinds: ['ours', 'ours-pg'],
      scenarios: ['idle', 'ingest', 'fanout', 'ladder', 'catchup', 'changes'],
      catchupSizes: [1000],
    };
    expect(expectedRuns(raw, 'ours-pg', 'ingest')).toBe(3);
    expect(expectedRuns(raw, 'ours-pg', 'fanout')).toBe(3);
    for (const scenario of ['idle', 'changes', 'ladder', 'catchup', 'catchupRestarted'] as const)
      expect(expectedRuns(raw, 'ours-pg', scenario)).toBe(0);
    expect(expectedRuns(raw, 'ours-pg-2', 'ingest')).toBe(0);

    const wrongStore = rawWithScaleOut();
    wrongStore.setup = { 'ours-pg': [pgSetup(2, 'sqlite')] };
    expect(runProblems(wrongStore).join('\n')).toContain('ours-pg ran with store="sqlite"');
    const lossy = rawWithScaleOut();
    const run = lossy.servers['ours-pg-2']?.ingest[0];
    if (run) run.integrity.lost = 3;
    expect(runProblems(lossy)).toContain('ours-pg-2 ingest run 1: lost 3 and duplicated 0 deliveries in scale-out mode');
  });

  it('reports each deployment with its CPU per message and spells out the arithmetic', () => {
    const raw = rawWithScaleOut();
    const section = scaleOutSection(raw).join('\n');
    expect(section).toContain(
      '| SQLite cluster (ours) | 3 of 3 | 6,000 (5,000–7,000) | 1.00× | 5.0 / 20.0 | 0.300 (0.300–0.300) | — | — | 0.700 (0.700–0.700) | 0.800 (0.800–0.800) | 90% |',
    );
    expect(section).toContain('| PostgreSQL + Redis, 1 instance | 3 of 3 | 3,600 (3,000–4,000) | 0.60× |');
    expect(section).toContain('| PostgreSQL + Redis, 2 instances | 3 of 3 | 3,000 (2,800–3,100) | 0.50× |');
    // One machine: 2,000 / (0.4 + 0.2 + 0.1) = 2,857; apart: min(5,000, 6,667) = 5,000; one instance each: min(2,000 / 0.55, 8,000) = 3,636.
    expect(section).toContain(
      '0.600 ms in the load generator (which a deployment would not carry), and 0.600 ms in other work on this shared machine',
    );
    expect(section).toContain('2,000 / (0.400 + 0.200 + 0.100) = **2,857 msg/s**');
    expect(section).toContain('the SQLite cluster: 2,000 / 0.300 = 6,667 msg/s, so on CPU alone PostgreSQL mode is at 0.43× of it');
    expect(section).toContain('min(2,000 / 0.400, 2,000 / (0.200 + 0.100)) = min(5,000, 6,667) = **5,000 msg/s** (1.75×)');
    expect(section).toContain("a message costs 0.500 ms across both (1.25× of one instance's: the relay through Redis)");
    expect(section).toContain('= min(3,636, 8,000) = **3,636 msg/s** (1.27×)');
    expect(section).toContain('So the bound moves from 2,857 to 5,000 msg/s (1.75×)');
    expect(section).toContain("closed loop's 80 messages in flight");

    const summary = summarize(raw, 2000, '10000');
    expect(summary.problems).toEqual([]);
    const markdown = toMarkdown(raw, summary, 'settings');
    expect(markdown).toContain('## Scale-out mode (PostgreSQL + Redis) beside the SQLite cluster, ingest');
    // The server table gains a column for each scale-out kind that was planned.
    expect(markdown).toContain('| ingest | acked msg/s | 6,000 (5,000–7,000) | — | — | — | 3,600 (3,000–4,000) | 3,000 (2,800–3,100) |');
  });

  it('states what PostgreSQL and Redis ran with, and whether an ack is as durable as with SQLite', () => {
    const raw = rawWithScaleOut();
    const setup = raw.setup?.['ours-pg']?.[0];
    if (setup)
      setup.env = { CHAT_DATABASE_URL: 'postgres://postgres@db/test?schema=chat_bench_12_ab12cd34', CHAT_REDIS_URL: 'redis://r:6379' };
    raw.services = { postgres: { fsync: 'on', synchronous_commit: 'on' }, redis: { redis_version: '7.0.15', appendonly: 'no' } };
    const line = servicesLine(raw);
    expect(line).toContain('`CHAT_DATABASE_URL=postgres://postgres@db/test?schema=chat_bench_<run>`');
    expect(line).toContain(
      "PostgreSQL: fsync on, synchronous_commit on (an ack means the message is on disk, as with SQLite's synchronous=FULL)",
    );
    expect(line).toContain('Redis: redis_version 7.0.15, appendonly no');
    raw.services.postgres = { fsync: 'on', synchronous_commit: 'off' };
    expect(servicesLine(raw)).toContain("NOT as durable as SQLite's synchronous=FULL");
  });
});
