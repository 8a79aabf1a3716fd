/**
 * Starts the real server (`node build/server/index.js`, built by the global setup) as a child
 * process on a free port with its own SQLite file in a temp dir, and stops or
 * SIGKILLs it. Every integration and end-to-end test goes through this.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort, killGroup, waitUntilHealthy } from './process';

export { freePort };

/** What `npm start` runs. */
export const SERVER_ENTRY = 'build/server/index.js';

export type ServerOptions = {
  /** 1 (single process, the default here) or more for the node:cluster mode. */
  workers?: number;
  /** Extra environment, e.g. CHAT_RATE_LIMIT. */
  env?: Record<string, string>;
  /** Reuse a database file (to restart over the same data). */
  dbPath?: string;
  port?: number;
};

/** How a stopped server went: `forced` when it had not exited within the grace period and was SIGKILLed. */
export type StopResult = { forced: boolean; code: number | null; signal: NodeJS.Signals | null; ms: number };

export type RunningServer = {
  url: string;
  port: number;
  dbPath: string;
  /** The process the harness started: the primary in cluster mode. */
  pid: number;
  /** Output of the process so far, for failure messages. */
  output(): string;
  /** Resolves once the started process has exited. */
  exited: Promise<void>;
  /**
   * SIGTERM to the started process, as a supervisor sends it, then wait for it to exit;
   * after `graceMs` the whole group is SIGKILLed and the result says `forced`.
   */
  /** SIGTERM to the server (`group`: to every process of it at once, as systemd stops a service), then SIGKILL after `graceMs`. */
  stop(graceMs?: number, options?: { group?: boolean }): Promise<StopResult>;
  /** SIGKILL the whole process group: primary and workers die at once, nothing flushes. */
  kill(): Promise<void>;
};

/** The server's own deadline for a clean exit: the primary SIGKILLs workers that take longer (process/primary.ts). */
export const SHUTDOWN_GRACE_MS = 10_000;

export function tempDir(prefix = 'chat-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const tempDirs: Array<{ remove(): void }> = [];

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  let dbPath = options.dbPath;
  if (!dbPath) {
    const dir = tempDir();
    tempDirs.push(dir);
    dbPath = join(dir.path, 'chat.db');
  }
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHAT_DB: dbPath,
      WORKERS: String(options.workers ?? 1),
      CHAT_RATE_LIMIT: '0',
      // v1's reading of a missing cursor (every message); tests of the window set their own.
      CHAT_HISTORY_WINDOW: '0',
      ...options.env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, child, () => output, options.workers ?? 1, 30_000);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server process has no pid');
  return {
    url,
    port,
    dbPath,
    pid,
    exited,
    output: () => output,
    async stop(graceMs = SHUTDOWN_GRACE_MS + 2_000, { group = false } = {}) {
      const started = Date.now();
      const result = () => ({ code: child.exitCode, signal: child.signalCode, ms: Date.now() - started });
      if (child.exitCode !== null || child.signalCode !== null) return { forced: false, ...result() };
      if (group) killGroup(child, 'SIGTERM');
      else child.kill('SIGTERM');
      let forced = false;
      const timer = setTimeout(() => {
        forced = true;
        killGroup(child, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
      return { forced, ...result() };
    },
    async kill() {
      // The whole group even when the started process is gone: workers it left behind die too.
      killGroup(child, 'SIGKILL');
      await exited;
    },
  };
}

/**
 * One real server for a test file (or describe block): started before its tests,
 * stopped and its temp dirs removed after them. Call the returned function inside
 * a test to get it. `beforeStart` and `beforeStop` let a suite add its own set-up.
 */
export function useServer(
  options: ServerOptions | (() => ServerOptions) = {},
  hooks: { beforeStart?(): void; beforeStop?(): Promise<void> } = {},
): () => RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    hooks.beforeStart?.();
    server = await startServer(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    try {
      await hooks.beforeStop?.();
    } finally {
      await server?.stop();
      removeTempDirs();
    }
  });
  return () => {
    if (!server) throw new Error('server did not start');
    return server;
  };
}

/** The pids of a running cluster's workers, from the x-worker-pid header of /healthz (every worker answers in turn). */
export async function workerPids(url: string, workers: number, timeoutMs = 15_000): Promise<number[]> {
  const pids = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  while (pids.size < workers) {
    if (Date.now() > deadline) throw new Error(`only ${pids.size} of ${workers} workers answered /healthz`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      const pid = Number(response.headers.get('x-worker-pid'));
      if (response.ok && pid > 0) pids.add(pid);
    } catch {
      // a worker that is dying or not ready yet
    }
  }
  return [...pids];
}

/** Whether a process with this pid still runs (a zombie, dead but not yet reaped, does not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // The state follows the parenthesised command name in /proc/<pid>/stat.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) dir.remove();
}

/** A server's output as the JSON log lines it is made of (server/observe/log.ts); a line that is not one fails the test. */
export type LogLine = { level: string; msg: string; pid: number; [field: string]: unknown };
export function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}
