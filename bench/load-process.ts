/** Runs one load job in its own process (bench/load/main.ts) and parses its `RESULT` line. */
import { spawn } from 'node:child_process';
import type { LoadJob, LoadResult } from './load/types';

export async function runLoadJob<R extends LoadResult>(job: LoadJob & { kind: R['kind'] }, limitMs = 20 * 60_000): Promise<R> {
  const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', 'bench/load/main.ts', JSON.stringify(job)], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
    if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`load job ${job.kind} failed (exit ${code}):\n${stderr.slice(-4000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as R;
}
