/**
 * Spawns the three servers under test, each in its own process group on a free
 * loopback port with a fresh temp database: ours exactly as `npm start` runs it
 * (node:cluster, a worker per core, durable SQLite, rate limit off), the
 * tutorial baseline and the null ceiling (one process each). Every child is
 * tracked so that an exit, an error or Ctrl-C kills the whole group.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, killGroup, waitUntilHealthy } from '../test/support/process';

export type ServerKind = 'ours' | 'tutorial' | 'null';

export const SERVER_KINDS: ServerKind[] = ['ours', 'tutorial', 'null'];

export type StartOptions = {
  /** Database file to use (e.g. pre-seeded); a fresh temp file otherwise. */
  dbPath?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Directory to run the server from (a snapshot of the committed tree); the repo by default. */
  cwd?: string;
  /** Extra node flags before the script, e.g. --cpu-prof (not allowed in NODE_OPTIONS; cluster workers inherit execArgv). */
  nodeArgs?: string[];
};

export type BenchServer = {
  kind: ServerKind;
  url: string;
  pid: number;
  dbPath: string;
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
 * Copies the committed server (HEAD) to a temp dir with node_modules linked, so
 * a long run measures one version even while the working tree is being edited.
 */
export function snapshotHead(): { dir: string; commit: string } {
  const dir = benchTempDir('bench-snapshot-');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const archive = execFileSync('git', ['archive', '--format=tar', 'HEAD', 'server', 'shared', 'scripts', 'package.json', 'tsconfig.json'], {
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

function commandFor(kind: ServerKind): string[] {
  switch (kind) {
    case 'ours':
      return ['build/server/index.js'];
    case 'tutorial':
      return ['bench/baselines/tutorial/index.mjs'];
    case 'null':
      return ['bench/baselines/null/index.mjs'];
  }
}

/** Where our server runs from unless a start says otherwise (set by --snapshot). */
export const serverDefaults: { oursCwd?: string } = {};

export async function startServer(kind: ServerKind, options: StartOptions = {}): Promise<BenchServer> {
  const dbPath = options.dbPath ?? join(benchTempDir(`bench-${kind}-`), 'chat.db');
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...commandFor(kind)], {
    cwd: options.cwd ?? (kind === 'ours' ? serverDefaults.oursCwd : undefined) ?? process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHAT_DB: dbPath,
      WORKERS: String(OUR_WORKERS),
      CHAT_RATE_LIMIT: '0',
      CHAT_STATIC_DIR: resolve('dist'),
      ...options.env,
    },
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
  await waitUntilHealthy(url, child, () => output, kind === 'ours' ? OUR_WORKERS : 1, 60_000);
  return {
    kind,
    url,
    pid,
    dbPath,
    output: () => output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Workers may outlive a primary that exits first.
      killGroup(child, 'SIGKILL');
    },
  };
}
