/**
 * Where the CPU of a throughput run goes, read from /proc around the load job: our
 * instances' process trees, PostgreSQL (only the backends our instances opened, found by
 * their application_name, plus the WAL writer, checkpointer and background writer that
 * serve every client), redis-server, and the whole machine. PostgreSQL and Redis are
 * shared with whatever else runs here; the backends filter keeps PostgreSQL's share ours.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { cpuMsOf, machineBusyMs, pidsNamed, treeCpuMs } from './proc';
import type { CpuSplit } from './report/raw';

export type CpuMeterTargets = {
  instancePids: number[];
  /** Scale-out mode: the database (any schema) and the application_name our instances connect with. */
  postgres?: { url: string; applicationName: string };
  redis?: boolean;
};

export type CpuMeter = { stop(acked: number): Promise<CpuSplit> };

const SHARED_BACKENDS = ['walwriter', 'checkpointer', 'background writer'];

/** Pids of the PostgreSQL processes that worked for us: our instances' backends and the shared writers. */
async function postgresPidsOf(url: string, applicationName: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 OR backend_type = ANY($2)',
      [applicationName, SHARED_BACKENDS],
    );
    return result.rows.map((row) => Number(row.pid));
  } finally {
    await client.end().catch(() => undefined);
  }
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export function startCpuMeter(targets: CpuMeterTargets): CpuMeter {
  const instancesAtStart = targets.instancePids.map(treeCpuMs);
  // Every postgres process now: a backend opened later starts from zero.
  const postgresAtStart = new Map(targets.postgres ? pidsNamed('postgres').map((pid) => [pid, cpuMsOf(pid)] as const) : []);
  const redisPids = targets.redis ? pidsNamed('redis-server') : [];
  const redisAtStart = sum(redisPids.map(cpuMsOf));
  const machineAtStart = machineBusyMs();
  const started = performance.now();
  return {
    async stop(acked) {
      const instancesMs = targets.instancePids.map((pid, index) => treeCpuMs(pid) - (instancesAtStart[index] ?? 0));
      const machineMs = machineBusyMs() - machineAtStart;
      const wallMs = performance.now() - started;
      const redisMs = targets.redis ? sum(redisPids.map(cpuMsOf)) - redisAtStart : null;
      let postgresMs: number | null = null;
      if (targets.postgres) {
        const pids = await postgresPidsOf(targets.postgres.url, targets.postgres.applicationName);
        postgresMs = sum(pids.map((pid) => cpuMsOf(pid) - (postgresAtStart.get(pid) ?? 0)));
      }
      return { instancesMs, postgresMs, redisMs, machineMs, wallMs, acked };
    },
  };
}
