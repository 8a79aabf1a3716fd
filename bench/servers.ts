/**
 * Spawns the servers under test, each in its own process group on a free
 * loopback port with a fresh temp database and an explicit, minimal
 * environment: ours exactly as `npm start` runs it (node:cluster, a worker per
 * core, durable SQLite, rate limit off), the tutorial baseline, and the null
 * ceiling as one process and as a cluster like ours. Every child is tracked so
 * that an exit, an error or Ctrl-C kills the whole group.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, killGroup, waitUntilHealthy } from '../test/support/process';
import { groupMembers } from './proc';

/**
 * `null-cluster`: the null server as a node:cluster of OUR_WORKERS workers joined by @socket.io/cluster-adapter.
 * `ours-pg`: our server in scale-out mode (PostgreSQL + Redis) as one instance of OUR_WORKERS workers;
 * `ours-pg-2`: two such instances sharing one PostgreSQL schema and one Redis namespace (bench/scale-out.ts).
 */
export type ServerKind = 'ours' | 'tutorial' | 'null' | 'null-cluster' | 'ours-pg' | 'ours-pg-2';

export const SERVER_KINDS: ServerKind[] = ['ours', 'tutorial', 'null', 'null-cluster', 'ours-pg', 'ours-pg-2'];

/** The kinds run in scale-out mode, and how many instances each starts. */
export const SCALE_OUT_INSTANCES: Partial<Record<ServerKind, number>> = { 'ours-pg': 1, 'ours-pg-2': 2 };
export const isScaleOut = (kind: ServerKind): boolean => SCALE_OUT_INSTANCES[kind] !== undefined;

export type StartOptions = {
  /** Database file to use (e.g. pre-seeded); a fresh temp file otherwise. */
  dbPath?: string;
  /** Worker count of a clustered kind (ours, null-cluster); OUR_WORKERS by default. */
  workers?: number;
  /** Directory to run the server from (a snapshot of the committed tree); the repo by default. */
  cwd?: string;
  /** Extra node flags before the script, e.g. --cpu-prof (not allowed in NODE_OPTIONS; cluster workers inherit execArgv). */
  nodeArgs?: string[];
  /** Poll /healthz every 10 ms from the spawn on, to time the start-up (otherwise every 50 ms, untimed). */
  timeStartup?: boolean;
  /** Settings on top of the minimal environment (the push scenario lists its loopback push service). */
  env?: Record<string, string>;
};

export type Startup = {
  /** Spawn of `node` → the first /healthz 200 (any worker), ms; null unless timed. */
  firstHealthyMs: number | null;
  /** Spawn → every worker answered /healthz, ms. */
  allHealthyMs: number;
};

export type BenchServer = {
  kind: ServerKind;
  url: string;
  pid: number;
  dbPath: string;
  /** The whole environment the server was given. */
  env: Record<string, string>;
  /** What /healthz answered once healthy: our server and the null server report their effective settings. */
  healthz: unknown;
  startup: Startup;
  output(): string;
  /** SIGTERM, then SIGKILL of the group after a grace period. */
  stop(graceMs?: number): Promise<void>;
};

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** Kills every server still running and removes temp dirs; safe to call more than once. */
export function cleanupAll(): void {
  for (const child of live) killGroup(child, 'SIGKILL');
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/**
 * Copies the committed server (HEAD, or any commit: `--snapshot=<rev>` measures an
 * older version under today's harness) to a temp dir with node_modules linked, so
 * a long run measures one version even while the working tree is being edited.
 */
export function snapshotHead(revision = 'HEAD'): { dir: string; commit: string } {
  const dir = benchTempDir('bench-snapshot-');
  const commit = execFileSync('git', ['rev-parse', '--short', revision], { encoding: 'utf8' }).trim();
  const archive = execFileSync('git', ['archive', '--format=tar', commit, 'server', 'shared', 'scripts', 'package.json', 'tsconfig.json'], {
    maxBuffer: 256 * 2 ** 20,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'));
  // Run as `npm start` runs it: compiled first.
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { cwd: dir, stdio: 'inherit' });
  return { dir, commit };
}

/** Our cluster runs one worker per core, as `npm start` does by default. */
export const OUR_WORKERS = availableParallelism();

export function commandFor(kind: ServerKind): string {
  switch (kind) {
    case 'ours':
    case 'ours-pg':
    case 'ours-pg-2':
      return 'build/server/index.js';
    case 'tutorial':
      return 'bench/baselines/tutorial/index.mjs';
    case 'null':
    case 'null-cluster':
      return 'bench/baselines/null/index.mjs';
  }
}

/** How many workers a kind runs with (1: one process, no primary). */
export function workersOf(kind: ServerKind, requested = OUR_WORKERS): number {
  return kind === 'ours' || kind === 'null-cluster' || isScaleOut(kind) ? requested : 1;
}

/**
 * The whole environment of a server: nothing is inherited, so a stray
 * CHAT_SQLITE_SYNC, CHAT_DATABASE_URL or NODE_OPTIONS in the shell cannot change
 * what is measured. No NODE_ENV, as `npm start` sets none.
 */
export function serverEnv(
  parent: Record<string, string | undefined>,
  settings: { port: number; dbPath: string; workers: number; staticDir: string },
): Record<string, string> {
  return {
    PATH: parent.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: parent.HOME ?? '/',
    PORT: String(settings.port),
    HOST: '127.0.0.1',
    CHAT_DB: settings.dbPath,
    WORKERS: String(settings.workers),
    CHAT_RATE_LIMIT: '0',
    // The catch-up scenarios time replaying 100,000 missed messages; by default one catch-up
    // sends at most 5,000 per room and windows the rest (the PWA loads older ones on scroll).
    CHAT_CATCHUP_CAP: '10000000',
    CHAT_STATIC_DIR: settings.staticDir,
  };
}

/** A free port for our server's /metrics (its own listener, no token): the env that turns it on and the URL to scrape. */
export async function metricsEndpoint(): Promise<{ env: { CHAT_METRICS_PORT: string }; url: string }> {
  const port = await freePort();
  return { env: { CHAT_METRICS_PORT: String(port) }, url: `http://127.0.0.1:${port}/metrics` };
}

/** Where our server runs from unless a start says otherwise (set by --snapshot). */
export const serverDefaults: { oursCwd?: string } = {};

/** Polls /healthz every 10 ms until the first 200; ms since `since`. */
async function firstHealthy(url: string, child: ChildProcess, output: () => string, since: number, timeoutMs: number): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      if (response.ok) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`server did not answer /healthz within ${timeoutMs / 1000}s:\n${output()}`);
}

async function readHealthz(url: string): Promise<unknown> {
  const response = await fetch(`${url}/healthz`);
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startServer(kind: ServerKind, options: StartOptions = {}): Promise<BenchServer> {
  const dbPath = options.dbPath ?? join(benchTempDir(`bench-${kind}-`), 'chat.db');
  const port = await freePort();
  const workers = workersOf(kind, options.workers);
  const env = { ...serverEnv(process.env, { port, dbPath, workers, staticDir: resolve('dist') }), ...options.env };
  const profiling = (options.nodeArgs ?? []).some((arg) => arg.startsWith('--cpu-prof'));
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), commandFor(kind)], {
    cwd: options.cwd ?? (kind === 'ours' || isScaleOut(kind) ? serverDefaults.oursCwd : undefined) ?? process.cwd(),
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(
    () => live.delete(child),
    () => undefined,
  );
  const url = `http://127.0.0.1:${port}`;
  const pid = child.pid;
  if (!pid) throw new Error(`could not spawn the ${kind} server`);
  const firstHealthyMs = options.timeStartup ? await firstHealthy(url, child, () => output, spawnedAt, 60_000) : null;
  await waitUntilHealthy(url, child, () => output, workers, 60_000);
  const allHealthyMs = performance.now() - spawnedAt;
  return {
    kind,
    url,
    pid,
    dbPath,
    env,
    healthz: await readHealthz(url),
    startup: { firstHealthyMs, allHealthyMs },
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const deadline = performance.now() + graceMs;
      // Profiled: SIGTERM to the primary alone, which passes it on to each worker. Our worker exits
      // cleanly (writing its profile) on the first SIGTERM only: the group's and then the primary's
      // would kill it by the second signal, before its profile is written.
      if (profiling) child.kill('SIGTERM');
      else killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Workers may outlive a primary that exits first: give them the rest of the grace period to
      // finish shutting down (with --cpu-prof, to write their profiles), then kill what is left.
      while (performance.now() < deadline && groupMembers(pid).length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      killGroup(child, 'SIGKILL');
    },
  };
}
