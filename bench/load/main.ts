/**
 * The load generator process: `node --import tsx bench/load/main.ts '<job json>'`
 * runs one job (bench/load/types.ts) and prints `RESULT <json>` as its last
 * stdout line. It runs apart from the orchestrator so its CPU and memory never
 * mix with the process that spawns and measures the servers.
 */
import { runPush } from './push-job';
import { runCatchup, runIdle, runLadder, runSeed, runThroughput } from './scenarios';
import type { LoadJob, LoadResult } from './types';

/** Hard bound on one job, whatever it does. */
const JOB_LIMIT_MS = 20 * 60_000;

async function run(job: LoadJob): Promise<LoadResult> {
  switch (job.kind) {
    case 'throughput':
      return runThroughput(job);
    case 'ladder':
      return runLadder(job);
    case 'seed':
      return runSeed(job);
    case 'catchup':
      return runCatchup(job);
    case 'idle':
      return runIdle(job);
    case 'push':
      return runPush(job);
  }
}

const raw = process.argv[2];
if (!raw) {
  process.stderr.write('usage: bench/load/main.ts <job json>\n');
  process.exit(2);
}
const limit = setTimeout(() => {
  process.stderr.write(`load job exceeded ${JOB_LIMIT_MS} ms\n`);
  process.exit(3);
}, JOB_LIMIT_MS);
try {
  const result = await run(JSON.parse(raw) as LoadJob);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  clearTimeout(limit);
  process.exit(0);
} catch (error) {
  process.stderr.write(`load job failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
