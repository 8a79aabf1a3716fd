/**
 * The orchestrator's half of each scenario: start the server it needs, hand the
 * load to a load-generator process (bench/load/), stop the server. Every call
 * measures freshly started servers and reports each start, so the report can
 * say what every server really ran with.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { encodeContent } from './load/accounting';
import { INGEST_SHAPES, PHASES_PER_SHAPE } from './load/ingest-shapes';
import type { CatchupResult, Dialect, IdleResult, LadderResult, SeedResult, ThroughputJob, ThroughputResult } from './load/types';
import { runLoadJob } from './load-process';
import type { IdleRun, InRun, ThroughputRun } from './report/raw';
import { startCpuMeter, type CpuMeter } from './cpu-meter';
import { withScaleOut } from './scale-out';
import { benchTempDir, isScaleOut, startServer, workersOf, type BenchServer, type ServerKind, type StartOptions } from './servers';
import type { Settings } from './settings';

export type MeasureContext = {
  settings: Settings;
  log(line: string): void;
  /** Every server started, once healthy. */
  started(server: BenchServer): void;
};

export const dialectOf = (kind: ServerKind): Dialect => (kind === 'tutorial' ? 'tutorial' : 'ours');

export async function withServer<T>(
  kind: ServerKind,
  options: StartOptions,
  context: MeasureContext,
  task: (server: BenchServer) => Promise<T>,
) {
  const server = await startServer(kind, options);
  context.started(server);
  try {
    return await task(server);
  } finally {
    await server.stop();
  }
}

/**
 * Closed-loop throughput with the CPU split of the run. A scale-out kind runs on its own
 * PostgreSQL schema and Redis namespace; with two instances the clients alternate between
 * them (half the senders and half the receivers on each), so every message crosses Redis.
 */
export function measureThroughput(
  kind: ServerKind,
  shape: Settings['ingest'],
  context: MeasureContext,
  nodeArgs: string[] = [],
  extra: Pick<ThroughputJob, 'mix' | 'alternate'> = {},
): Promise<ThroughputRun> {
  const { alternate } = extra;
  // Taking turns, each shape gets PHASES_PER_SHAPE phases (24 s in a full run, against 10 s for a run of its own),
  // and the warm-up ends with an unmeasured turn of the three.
  const durationMs = alternate ? INGEST_SHAPES.length * PHASES_PER_SHAPE * alternate.phaseMs : context.settings.durationMs;
  const warmupMs = context.settings.warmupMs + (alternate ? INGEST_SHAPES.length * alternate.phaseMs : 0);
  const run = async (urls: string[], meter: CpuMeter): Promise<ThroughputRun> => {
    const [url = ''] = urls;
    const result = await runLoadJob<ThroughputResult>({
      kind: 'throughput',
      url,
      ...(urls.length > 1 ? { urls } : {}),
      dialect: dialectOf(kind),
      ...shape,
      durationMs,
      warmupMs,
      ...extra,
    });
    return { ...result, cpu: { ...(await meter.stop(result.integrity.acked)), loadMs: result.loadCpuMs ?? null } };
  };
  if (isScaleOut(kind))
    return withScaleOut(kind, { nodeArgs }, context.started, ({ instances, databaseUrl, applicationName }) =>
      run(
        instances.map((instance) => instance.url),
        startCpuMeter({
          instancePids: instances.map((instance) => instance.pid),
          postgres: { url: databaseUrl, applicationName },
          redis: true,
        }),
      ),
    );
  return withServer(kind, { nodeArgs }, context, (server) => run([server.url], startCpuMeter({ instancePids: [server.pid] })));
}

export function measureLadder(kind: ServerKind, context: MeasureContext, nodeArgs: string[] = []): Promise<LadderResult> {
  return withServer(kind, { nodeArgs }, context, (server) =>
    runLoadJob<LadderResult>({
      kind: 'ladder',
      url: server.url,
      dialect: dialectOf(kind),
      serverPid: server.pid,
      ...context.settings.ladder,
    }),
  );
}

/** Start-up time and idle memory per process, with `idle.clients` clients connected and synced. */
export function measureIdle(kind: ServerKind, context: MeasureContext): Promise<Omit<IdleRun, 'run'>> {
  const { clients, workers, settleMs, idleMs } = context.settings.idle;
  return withServer(kind, { workers, timeStartup: true }, context, async (server) => {
    const result = await runLoadJob<IdleResult>({
      kind: 'idle',
      url: server.url,
      dialect: dialectOf(kind),
      serverPid: server.pid,
      clients,
      settleMs,
      idleMs,
    });
    return { ...result, workers: workersOf(kind, workers), ...server.startup };
  });
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

export type CatchupRuns = {
  /** From the server that stored the messages: its tail cache holds what the seeding clients sent. */
  warm: Record<string, InRun<CatchupResult>[]>;
  /** From a server started on the stored database: nothing in its tail cache. */
  restarted: Record<string, InRun<CatchupResult>[]>;
};

/**
 * Waits until our search index has taken in every stored message (search_backlog is empty).
 * Seeding stores messages far faster than people write them, and the indexer then works
 * through the backlog in the background for seconds: a catch-up measured meanwhile shares
 * the two cores with it. Messages that arrive at a human pace are indexed within milliseconds.
 */
async function searchIndexed(dbPath: string, context: MeasureContext, timeoutMs = 300_000): Promise<void> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const hasBacklog = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_backlog'").get();
    if (!hasBacklog) return;
    const count = db.prepare('SELECT count(*) FROM search_backlog').pluck();
    const started = Date.now();
    let left = count.get() as number;
    while (left > 0 && Date.now() - started < timeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      left = count.get() as number;
    }
    context.log(
      `search index: ${left === 0 ? 'complete' : `${left} messages still unindexed`} after ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    db.close();
  }
}

/**
 * Ours: seeded through its own protocol, then `runs` rounds of every size on
 * that server (warm), then `runs` rounds each on a freshly restarted one. The
 * tutorial keeps no cache: it is started on its seeded file for each round.
 * A failed job is recorded in `errors` and the rest go on.
 */
export async function measureCatchup(
  kind: ServerKind,
  context: MeasureContext,
  runs: number,
  errors: string[],
  nodeArgs: string[] = [],
): Promise<CatchupRuns> {
  const { sizes, timeoutMs } = context.settings.catchup;
  const total = Math.max(...sizes);
  const bySize = () => Object.fromEntries(sizes.map((size) => [String(size), [] as InRun<CatchupResult>[]]));
  const results: CatchupRuns = { warm: bySize(), restarted: bySize() };
  const dbPath = join(benchTempDir(`bench-${kind}-catchup-`), 'chat.db');
  let stored = total;

  const round = async (server: BenchServer, run: number, phase: keyof CatchupRuns) => {
    for (const size of sizes) {
      const what = `${kind} catch-up of ${size} (${phase === 'warm' ? 'warm' : 'after restart'}) run ${run}`;
      try {
        const job = {
          kind: 'catchup',
          url: server.url,
          dialect: dialectOf(kind),
          total: stored,
          missed: size,
          // As many as the server was started with: each of its processes takes a warm-up.
          warmups: Number(server.env.WORKERS),
          timeoutMs,
        } as const;
        const result = await runLoadJob<CatchupResult>(job);
        if (result.error) errors.push(`${what}: ${result.error}`);
        context.log(
          `${what}: ${result.ms === null ? result.error : `${result.ms.toFixed(0)} ms`} (${result.received} received, ${result.duplicates} duplicates)`,
        );
        results[phase][String(size)]?.push({ ...result, run });
      } catch (error) {
        errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        context.log(`ERROR ${what}: ${String(error).slice(0, 500)}`);
      }
    }
  };

  if (kind === 'tutorial') seedTutorialDb(dbPath, total);
  else
    await withServer(kind, { dbPath, nodeArgs }, context, async (server) => {
      const seed = await runLoadJob<SeedResult>({ kind: 'seed', url: server.url, dialect: dialectOf(kind), messages: total });
      context.log(`${kind}: seeded ${seed.seeded} messages over the protocol in ${(seed.ms / 1000).toFixed(1)} s (last seq ${seed.total})`);
      stored = seed.total;
      if (seed.seeded < total) errors.push(`${kind}: seeding stored only ${seed.seeded} of ${total}`);
      if (kind === 'ours') await searchIndexed(dbPath, context);
      for (let run = 1; run <= runs; run++) await round(server, run, 'warm');
    });
  for (let run = 1; run <= runs; run++) {
    try {
      await withServer(kind, { dbPath, nodeArgs }, context, (server) => round(server, run, 'restarted'));
    } catch (error) {
      errors.push(`${kind} catch-up after restart, run ${run}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return results;
}
