/**
 * Starts the real server (`node --import tsx server/index.ts`) as a child
 * process on a free port with its own SQLite file in a temp dir, and stops or
 * SIGKILLs it. Every integration and end-to-end test goes through this.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ServerOptions = {
  /** 1 (single process, the default here) or more for the node:cluster mode. */
  workers?: number;
  /** Extra environment, e.g. CHAT_RATE_LIMIT. */
  env?: Record<string, string>;
  /** Reuse a database file (to restart over the same data). */
  dbPath?: string;
  port?: number;
};

export type RunningServer = {
  url: string;
  port: number;
  dbPath: string;
  /** Output of the process so far, for failure messages. */
  output(): string;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
  /** SIGKILL the whole process group: primary and workers die at once, nothing flushes. */
  kill(): Promise<void>;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

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
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      CHAT_DB: dbPath,
      WORKERS: String(options.workers ?? 1),
      CHAT_RATE_LIMIT: '0',
      ...options.env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, child, () => output, options.workers ?? 1);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    port,
    dbPath,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => killGroup(child), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child);
      await exited;
    },
  };
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Healthy means every worker answers: with N workers, N distinct pids must have said ok. */
async function waitUntilHealthy(url: string, child: ChildProcess, output: () => string, workers: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  const pids = new Set<string>();
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) {
        pids.add(response.headers.get('x-worker-pid') ?? 'single');
        if (pids.size >= workers || workers === 1) return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  killGroup(child);
  throw new Error(`server did not become healthy within 30s:\n${output()}`);
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) dir.remove();
}
