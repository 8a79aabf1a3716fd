/**
 * The load generator process: `node --import tsx bench/load/main.ts '<job json>'`
 * runs one job (bench/load/types.ts) and prints `RESULT <json>` as its last
 * stdout line. It runs apart from the orchestrator so its CPU and memory never
 * mix with the process that spawns and measures the servers.
 */
import { runPush } from './push-job';
import { runCatchup, runIdle, runLadder, runSeed, runThroughput } from './scenarios';
import { runSoak } from './soak-job';
import type { LoadJob, LoadResult } from './types';

/** Hard bound on one job, whatever it does (a soak: its duration and as much again for connecting and draining, at least this). */
const JOB_LIMIT_MS = 20 * 60_000;
const jobLimitMs = (job: LoadJob) => (job.kind === 'soak' ? Math.max(JOB_LIMIT_MS, 2 * job.durationMs) : JOB_LIMIT_MS);

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
    case 'soak':
      return runSoak(job);
  }
}

const raw = process.argv[2];
if (!raw) {
  process.stderr.write('usage: bench/load/main.ts <job json>\n');
  process.exit(2);
}
const job = JSON.parse(raw) as LoadJob;
const limit = setTimeout(() => {
  process.stderr.write(`load job exceeded ${jobLimitMs(job)} ms\n`);
  process.exit(3);
}, jobLimitMs(job));
try {
  const ran = await run(job);
  // A throughput run reports the load generator's own CPU over its whole life, so the
  // orchestrator can tell it apart from the rest of the machine.
  const usage = process.cpuUsage();
  const result = ran.kind === 'throughput' ? { ...ran, loadCpuMs: (usage.user + usage.system) / 1000 } : ran;
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  clearTimeout(limit);
  process.exit(0);
} catch (error) {
  process.stderr.write(`load job failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
