/**
 * `npm run bench [-- --quick] [--runs=N] [--only=ours,null] [--skip=client,catchup,ladder,ingest,fanout] [--profile] [--out=dir] [--snapshot]`
 *
 * --snapshot runs our server from a copy of the committed HEAD (one version for the whole run).
 * --from=bench/results/latest.json rewrites the report from stored raw results without measuring.
 *
 * Starts our server (as `npm start` runs it), the tutorial baseline and the
 * null ceiling, drives each with the same load from a separate process
 * (bench/load/main.ts), measures the built PWA, and writes medians, ratios and
 * pass/fail per target to bench/results/latest.{json,md} plus growth.svg.
 */
import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { growthSvg } from './chart';
import { measureBundle, measureClient } from './client-metrics';
import { encodeContent } from './load/accounting';
import { runLoadJob } from './load-process';
import type { CatchupResult, Dialect, LadderResult, SeedResult, ThroughputResult } from './load/types';
import { summarizeProfiles, type ProfileSummary } from './profile';
import { summarize, toMarkdown, type RawResults, type RawServerRuns } from './report';
import { execFileSync } from 'node:child_process';
import { buildServer } from '../scripts/build-server.mjs';
import { benchTempDir, cleanupAll, SERVER_KINDS, serverDefaults, snapshotHead, startServer, type ServerKind } from './servers';
import { ensureTutorialPackages } from './tutorial-packages';

type Settings = {
  runs: number;
  ingest: { clients: number; senders: number; window: number };
  fanout: { clients: number; senders: number; window: number };
  durationMs: number;
  warmupMs: number;
  ladder: { steps: number[]; probeRate: number; probeMs: number; settleMs: number };
  rssStep: number;
  catchup: { sizes: number[]; timeoutMs: number };
  clientRuns: number;
  lighthouse: boolean;
};

const FULL: Settings = {
  runs: 3,
  ingest: { clients: 10, senders: 10, window: 8 },
  fanout: { clients: 200, senders: 20, window: 4 },
  durationMs: 10_000,
  warmupMs: 1_000,
  ladder: { steps: [10, 1000, 2000, 5000], probeRate: 20, probeMs: 5_000, settleMs: 3_000 },
  rssStep: 2000,
  catchup: { sizes: [1_000, 10_000, 100_000], timeoutMs: 300_000 },
  clientRuns: 3,
  lighthouse: true,
};

const QUICK: Settings = {
  runs: 1,
  ingest: { clients: 10, senders: 10, window: 8 },
  fanout: { clients: 50, senders: 10, window: 4 },
  durationMs: 1_500,
  warmupMs: 250,
  ladder: { steps: [10, 200], probeRate: 20, probeMs: 1_000, settleMs: 500 },
  rssStep: 200,
  catchup: { sizes: [1_000, 5_000], timeoutMs: 60_000 },
  clientRuns: 1,
  lighthouse: false,
};

type Options = {
  quick: boolean;
  runs: number | null;
  only: ServerKind[];
  skip: Set<string>;
  profile: boolean;
  out: string;
  snapshot: boolean;
  from: string | null;
};

function parseArgs(argv: string[]): Options {
  const options: Options = {
    quick: false,
    runs: null,
    only: [...SERVER_KINDS],
    skip: new Set(),
    profile: false,
    out: '',
    snapshot: false,
    from: null,
  };
  for (const arg of argv) {
    const [key, value = ''] = arg.split('=');
    if (key === '--quick') options.quick = true;
    else if (key === '--profile') options.profile = true;
    else if (key === '--snapshot') options.snapshot = true;
    else if (key === '--from' && value) options.from = value;
    else if (key === '--runs') options.runs = Math.max(1, Math.min(10, Number(value) || 1));
    else if (key === '--only')
      options.only = value.split(',').filter((kind): kind is ServerKind => (SERVER_KINDS as string[]).includes(kind));
    else if (key === '--skip') for (const part of value.split(',')) options.skip.add(part);
    else if (key === '--out' && value) options.out = value;
    else throw new Error(`unknown option ${arg}`);
  }
  // A quick run never overwrites the committed full results.
  if (!options.out) options.out = options.quick ? 'bench/results/quick' : 'bench/results';
  return options;
}

const dialectOf = (kind: ServerKind): Dialect => (kind === 'tutorial' ? 'tutorial' : 'ours');
const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

/** Rotates the server order per run so no server always goes first (warm caches, thermal drift). */
function rotated<T>(items: T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function throughput(kind: ServerKind, shape: Settings['ingest'], settings: Settings, nodeArgs: string[]): Promise<ThroughputResult> {
  const server = await startServer(kind, { nodeArgs });
  try {
    return await runLoadJob<ThroughputResult>({
      kind: 'throughput',
      url: server.url,
      dialect: dialectOf(kind),
      ...shape,
      durationMs: settings.durationMs,
      warmupMs: settings.warmupMs,
    });
  } finally {
    await server.stop();
  }
}

async function ladder(kind: ServerKind, settings: Settings): Promise<LadderResult> {
  const server = await startServer(kind);
  try {
    return await runLoadJob<LadderResult>({
      kind: 'ladder',
      url: server.url,
      dialect: dialectOf(kind),
      serverPid: server.pid,
      ...settings.ladder,
    });
  } finally {
    await server.stop();
  }
}

/**
 * The tutorial is seeded by writing its own table directly (its one-fsync-per-
 * message INSERT would take minutes for 100,000 rows); what we time is its
 * catch-up path, one emit per row, unchanged. Ours is seeded over its protocol.
 */
function seedTutorialDb(dbPath: string, messages: number): void {
  const db = new Database(dbPath);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, client_offset TEXT UNIQUE, content TEXT);');
    const insert = db.prepare('INSERT INTO messages (content, client_offset) VALUES (?, ?)');
    db.transaction(() => {
      for (let n = 0; n < messages; n++) insert.run(encodeContent({ step: 9, sender: 0, n }), `seed-${n}`);
    })();
  } finally {
    db.close();
  }
}

async function catchup(kind: ServerKind, settings: Settings, runs: number, errors: string[]): Promise<Record<string, CatchupResult[]>> {
  const total = Math.max(...settings.catchup.sizes);
  const results: Record<string, CatchupResult[]> = Object.fromEntries(settings.catchup.sizes.map((size) => [String(size), []]));
  let dbPath: string | undefined;
  if (kind === 'tutorial') {
    dbPath = join(benchTempDir('bench-tutorial-seed-'), 'chat.db');
    seedTutorialDb(dbPath, total);
  }
  const server = await startServer(kind, dbPath ? { dbPath } : {});
  try {
    let stored = total;
    if (kind !== 'tutorial') {
      const seed = await runLoadJob<SeedResult>({ kind: 'seed', url: server.url, dialect: dialectOf(kind), messages: total });
      log(`${kind}: seeded ${seed.seeded} messages over the protocol in ${(seed.ms / 1000).toFixed(1)} s (last seq ${seed.total})`);
      stored = seed.total;
      if (seed.seeded < total) errors.push(`${kind}: seeding stored only ${seed.seeded} of ${total}`);
    }
    for (let run = 0; run < runs; run++) {
      for (const size of settings.catchup.sizes) {
        const result = await runLoadJob<CatchupResult>({
          kind: 'catchup',
          url: server.url,
          dialect: dialectOf(kind),
          total: stored,
          missed: size,
          timeoutMs: settings.catchup.timeoutMs,
        });
        if (result.error) errors.push(`${kind}: catch-up of ${size}: ${result.error}`);
        log(
          `${kind}: catch-up of ${size}: ${result.ms === null ? result.error : `${result.ms.toFixed(0)} ms`} (${result.received} received, ${result.duplicates} duplicates)`,
        );
        results[String(size)]?.push(result);
      }
    }
  } finally {
    await server.stop();
  }
  return results;
}

/** Summarizes raw results and writes latest.json, latest.md and growth.svg into `outDir`. */
function writeReport(raw: RawResults, settings: Settings, outDir: string, oursVersion: string, profile: ProfileSummary | null): void {
  mkdirSync(outDir, { recursive: true });
  const catchupSize = String(settings.catchup.sizes.includes(10_000) ? 10_000 : Math.max(...settings.catchup.sizes));
  const summary = summarize(raw, settings.rssStep, catchupSize);
  const settingsLine =
    `Settings: ingest ${settings.ingest.clients} clients (${settings.ingest.senders} senders × window ${settings.ingest.window}), ` +
    `fan-out ${settings.fanout.clients} clients (${settings.fanout.senders} senders × window ${settings.fanout.window}), T = ${settings.durationMs / 1000} s after ${settings.warmupMs / 1000} s warm-up; ` +
    `growth ${settings.ladder.steps.join(' → ')} clients (probe ${settings.ladder.probeRate} msg/s for ${settings.ladder.probeMs / 1000} s); ` +
    `catch-up ${settings.catchup.sizes.join(' / ')} missed. Ours (${oursVersion}): node:cluster, ${raw.machine.cores} workers, SQLite, CHAT_RATE_LIMIT=0; tutorial and null: one process.`;
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify({ raw, summary, profile }, null, 2)}\n`);
  const markdown =
    toMarkdown(raw, summary, settingsLine) +
    (profile ? `\n## CPU profile of our server (self time, all workers)\n\n${profile.markdown}\n` : '');
  writeFileSync(join(outDir, 'latest.md'), markdown);
  writeFileSync(join(outDir, 'growth.svg'), growthSvg(summary, `${raw.mode} · median of ${raw.runs} · ${raw.startedAt}`));
  process.stdout.write(markdown);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.from) {
    const stored = JSON.parse(readFileSync(options.from, 'utf8')) as { raw: RawResults; profile: ProfileSummary | null };
    const storedSettings = stored.raw.settings as Settings & { ours?: string };
    writeReport(stored.raw, storedSettings, options.out, storedSettings.ours ?? 'unknown version', stored.profile);
    return;
  }
  const base = options.quick ? QUICK : FULL;
  const settings: Settings = { ...base, runs: options.runs ?? base.runs };
  const outDir = options.out;
  let oursVersion: string;
  if (options.snapshot) {
    const snapshot = snapshotHead();
    serverDefaults.oursCwd = snapshot.dir;
    oursVersion = `commit ${snapshot.commit} (snapshot)`;
  } else {
    await buildServer();
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'server', 'shared'], { encoding: 'utf8' }).trim() !== '';
    oursVersion = `working tree at ${commit}${dirty ? ' with uncommitted server/shared changes' : ''}`;
  }
  log(`ours: ${oursVersion}`);
  if (options.only.includes('tutorial')) ensureTutorialPackages(log);
  mkdirSync(outDir, { recursive: true });
  const raw: RawResults = {
    startedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    runs: settings.runs,
    machine: { cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    settings: { ...settings, ours: oursVersion },
    servers: {},
    client: null,
    errors: [],
  };
  const runsOf = (kind: ServerKind): RawServerRuns => {
    const existing = raw.servers[kind];
    if (existing) return existing;
    const created: RawServerRuns = { ingest: [], fanout: [], ladder: [], catchup: {} };
    raw.servers[kind] = created;
    return created;
  };
  const attempt = async (what: string, task: () => Promise<void>) => {
    try {
      await task();
    } catch (error) {
      const text = `${what}: ${error instanceof Error ? error.message : String(error)}`;
      raw.errors.push(text);
      log(`ERROR ${text.slice(0, 2000)}`);
    }
  };
  const profileDir = join(outDir, 'profiles');
  const profileArgs = (kind: ServerKind): string[] => {
    if (!options.profile || kind !== 'ours') return [];
    mkdirSync(profileDir, { recursive: true });
    return ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  };

  for (let run = 0; run < settings.runs; run++) {
    for (const kind of rotated(options.only, run)) {
      const runs = runsOf(kind);
      if (!options.skip.has('ingest')) {
        await attempt(`${kind} ingest run ${run + 1}`, async () => {
          const result = await throughput(kind, settings.ingest, settings, profileArgs(kind));
          runs.ingest.push(result);
          log(
            `${kind}: ingest ${settings.ingest.clients} clients: ${result.ackedPerSec.toFixed(0)} acked/s, ack p99 ${result.ack.p99?.toFixed(1)} ms, lost ${result.integrity.lost}, dup ${result.integrity.duplicated}`,
          );
        });
      }
      if (!options.skip.has('fanout')) {
        await attempt(`${kind} fan-out run ${run + 1}`, async () => {
          const result = await throughput(kind, settings.fanout, settings, profileArgs(kind));
          runs.fanout.push(result);
          log(
            `${kind}: fan-out ${settings.fanout.clients} clients: ${result.deliveriesPerSec.toFixed(0)} deliveries/s, delivery p99 ${result.delivery.p99?.toFixed(1)} ms, lost ${result.integrity.lost}, dup ${result.integrity.duplicated}`,
          );
        });
      }
      if (!options.skip.has('ladder')) {
        await attempt(`${kind} growth series run ${run + 1}`, async () => {
          const result = await ladder(kind, settings);
          runs.ladder.push(result);
          if (result.error) raw.errors.push(`${kind} growth series: ${result.error}`);
          log(
            `${kind}: growth ${result.steps.map((step) => `${step.clients}→${(step.serverRss / 2 ** 20).toFixed(0)}MiB/p99 ${step.delivery.p99?.toFixed(1)}ms`).join(', ')}`,
          );
        });
      }
    }
  }
  if (!options.skip.has('catchup')) {
    for (const kind of options.only.filter((kind) => kind !== 'null')) {
      await attempt(`${kind} catch-up`, async () => {
        runsOf(kind).catchup = await catchup(kind, settings, settings.runs, raw.errors);
      });
    }
  }
  if (!options.skip.has('client')) {
    await attempt('client metrics', async () => {
      if (settings.lighthouse) raw.client = await measureClient(settings.clientRuns, log);
      else
        raw.client = {
          bundle: measureBundle(),
          lighthouse: { status: 'skipped', detail: 'quick mode' },
          offline: { status: 'skipped', detail: 'quick mode' },
        };
      log(`client: bundle ${raw.client.bundle.status}, lighthouse ${raw.client.lighthouse.status}, offline ${raw.client.offline.status}`);
    });
  }

  const profile = options.profile ? summarizeProfiles(profileDir, 25) : null;
  writeReport(raw, settings, outDir, oursVersion, profile);
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s → ${outDir}/latest.md, latest.json, growth.svg`);
}

process.on('exit', cleanupAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanupAll();
    process.exit(130);
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    cleanupAll();
    process.exit(1);
  },
);
