/**
 * Child-process plumbing shared by the test harness and the benchmark: a free
 * port, killing a server's whole process group, and waiting until every worker
 * answers /healthz.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

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

/** Signals the child's process group (it was spawned detached): a primary and its workers alike. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Healthy means every worker answered: with N workers, N distinct x-worker-pid
 * headers (a server without the header, like the baselines, counts at once).
 */
export async function waitUntilHealthy(
  url: string,
  child: ChildProcess,
  output: () => string,
  workers: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pids = new Set<string>();
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) {
        pids.add(response.headers.get('x-worker-pid') ?? 'single');
        if (pids.size >= workers || !response.headers.has('x-worker-pid')) return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  killGroup(child, 'SIGKILL');
  throw new Error(`server did not become healthy within ${timeoutMs / 1000}s:\n${output()}`);
}
