/**
 * #17's scale-out section: ours in PostgreSQL + Redis mode (one instance, two) beside the
 * SQLite cluster under the same ingest load, where the CPU of each went (our instances,
 * PostgreSQL, Redis, the rest of the machine) per acked message, the target, and the
 * arithmetic of what a second machine would buy. Pure functions of the raw runs.
 */
import type { ServerKind } from '../servers';
import { expectedRuns, type CpuSplit, type RawResults, type ThroughputRun } from './raw';
import { medianOf, NO_VALUE, ratio, type Med } from './stats';
import { fmt, fmtRatio, ratioByRun, targetOver, type TargetRow } from './targets';

export const PG_VS_SQLITE_TARGET = 0.5;

/** CPU per acked message, ms, by part; null where the part was not measured. */
export type CpuPerMessage = {
  /** Every instance's process tree together. */
  instances: number;
  postgres: number | null;
  redis: number | null;
  /** The load generator process; null when it did not say. */
  load: number | null;
  /** The machine's busy time not in the parts above: the bench, other work on the machine (and the load generator when it did not say). */
  rest: number;
  /** The whole machine's busy time. */
  machine: number;
};

export function cpuPerMessage(split: CpuSplit): CpuPerMessage | null {
  if (split.acked <= 0) return null;
  const instances = split.instancesMs.reduce((sum, ms) => sum + ms, 0);
  const load = split.loadMs ?? null;
  const parts = instances + (split.postgresMs ?? 0) + (split.redisMs ?? 0) + (load ?? 0);
  return {
    instances: instances / split.acked,
    postgres: split.postgresMs === null ? null : split.postgresMs / split.acked,
    redis: split.redisMs === null ? null : split.redisMs / split.acked,
    load: load === null ? null : load / split.acked,
    rest: Math.max(0, split.machineMs - parts) / split.acked,
    machine: split.machineMs / split.acked,
  };
}

/** One line for the bench log. */
export function cpuLine(split: CpuSplit): string {
  const per = cpuPerMessage(split);
  if (!per) return 'nothing acked';
  const ms = (value: number | null) => (value === null ? '' : `${value.toFixed(3)}`);
  return (
    `${ms(per.instances)} ms/msg in ${split.instancesMs.length === 1 ? 'the server' : `${split.instancesMs.length} instances`}` +
    (per.postgres === null ? '' : `, PostgreSQL ${ms(per.postgres)}`) +
    (per.redis === null ? '' : `, Redis ${ms(per.redis)}`) +
    (per.load === null ? '' : `, load generator ${ms(per.load)}`) +
    `, rest of the machine ${ms(per.rest)}; machine ${((split.machineMs / split.wallMs) * 100).toFixed(0)}% of one core busy`
  );
}

export type DeploymentSummary = {
  kind: ServerKind;
  runs: number;
  expected: number | null;
  ackedPerSec: Med;
  ackP50: Med;
  ackP99: Med;
  /** Medians over runs of each part's CPU per acked message, ms. */
  cpu: { instances: Med; postgres: Med; redis: Med; load: Med; rest: Med; machine: Med };
  /** Median share of the machine's cores busy during the runs (1 = every core). */
  machineBusy: Med;
};

export function deploymentSummary(kind: ServerKind, runs: ThroughputRun[], expected: number | null, cores: number): DeploymentSummary {
  const per = runs.map((run) => (run.cpu ? cpuPerMessage(run.cpu) : null));
  const pick = (part: keyof CpuPerMessage) => medianOf(per.map((value) => value?.[part] ?? null));
  return {
    kind,
    runs: runs.length,
    expected,
    ackedPerSec: medianOf(runs.map((run) => run.ackedPerSec)),
    ackP50: medianOf(runs.map((run) => run.ack.p50)),
    ackP99: medianOf(runs.map((run) => run.ack.p99)),
    cpu: {
      instances: pick('instances'),
      postgres: pick('postgres'),
      redis: pick('redis'),
      load: pick('load'),
      rest: pick('rest'),
      machine: pick('machine'),
    },
    machineBusy: medianOf(runs.map((run) => (run.cpu && run.cpu.wallMs > 0 ? run.cpu.machineMs / run.cpu.wallMs / cores : null))),
  };
}

/**
 * CPU bounds in msg/s: a machine of `cores` cores has cores × 1,000 ms of CPU a second,
 * and a deployment goes no faster than its busiest machine allows. Each figure is the CPU
 * per acked message of a part, ms (the instances' figure is for all instances together).
 */
export type SecondMachineMath = {
  cores: number;
  /** One instance, PostgreSQL and Redis on this one machine, the load generator elsewhere. */
  oneMachine: number;
  /** One instance on one machine, PostgreSQL + Redis on a second. */
  servicesApart: { bound: number; instanceBound: number; servicesBound: number };
  /** Two instances, one on each machine, PostgreSQL + Redis beside the first (from the two-instance run's CPU); null without that run. */
  instanceEach: { bound: number; firstMachine: number; secondMachine: number } | null;
  /** The better of the two layouts. */
  best: number;
};

export function secondMachineMath(
  cores: number,
  one: { instances: number; postgres: number; redis: number },
  two: { instances: number; postgres: number; redis: number } | null,
): SecondMachineMath {
  const capacity = cores * 1000;
  const bound = (ms: number) => (ms > 0 ? capacity / ms : Infinity);
  const oneMachine = bound(one.instances + one.postgres + one.redis);
  const instanceBound = bound(one.instances);
  const servicesBound = bound(one.postgres + one.redis);
  const servicesApart = { bound: Math.min(instanceBound, servicesBound), instanceBound, servicesBound };
  let instanceEach: SecondMachineMath['instanceEach'] = null;
  if (two) {
    // Each instance takes half the senders and so half the messages' ingest work.
    const firstMachine = bound(two.instances / 2 + two.postgres + two.redis);
    const secondMachine = bound(two.instances / 2);
    instanceEach = { bound: Math.min(firstMachine, secondMachine), firstMachine, secondMachine };
  }
  return { cores, oneMachine, servicesApart, instanceEach, best: Math.max(servicesApart.bound, instanceEach?.bound ?? 0) };
}

const ms3 = (value: number | null | undefined) => fmt(value, 3);

/** The ingest shape the run stored in its settings (clients, senders, window). */
function ingestShape(raw: RawResults): { clients: number | null; inFlight: number | null } {
  const ingest = raw.settings.ingest as { clients?: number; senders?: number; window?: number } | undefined;
  return {
    clients: ingest?.clients ?? null,
    inFlight: ingest?.senders !== undefined && ingest.window !== undefined ? ingest.senders * ingest.window : null,
  };
}

/** The summaries of ours (the SQLite cluster) and the scale-out kinds that were planned or measured. */
export function deployments(raw: RawResults): DeploymentSummary[] {
  const kinds: ServerKind[] = ['ours', 'ours-pg', 'ours-pg-2'];
  return kinds
    .filter((kind) => raw.servers[kind] !== undefined || raw.plan?.kinds.includes(kind))
    .map((kind) => deploymentSummary(kind, raw.servers[kind]?.ingest ?? [], expectedRuns(raw, kind, 'ingest'), raw.machine.cores));
}

/** A scale-out kind's ingest was planned (or, in results stored without a plan, measured). */
const scaleOutPlanned = (raw: RawResults) =>
  (['ours-pg', 'ours-pg-2'] as const).some((kind) =>
    raw.plan ? raw.plan.kinds.includes(kind) && raw.plan.scenarios.includes('ingest') : (raw.servers[kind]?.ingest.length ?? 0) > 0,
  );

export function scaleOutTargets(raw: RawResults): TargetRow[] {
  if (!scaleOutPlanned(raw)) return [];
  const byKind = new Map(deployments(raw).map((summary) => [summary.kind, summary]));
  const input = (label: string, kind: ServerKind) => ({
    label,
    med: byKind.get(kind)?.ackedPerSec ?? NO_VALUE,
    expected: byKind.get(kind)?.expected ?? 0,
  });
  const pg = input('ours-pg', 'ours-pg');
  const sqlite = input('ours', 'ours');
  const runsOf = (kind: ServerKind) => (raw.servers[kind]?.ingest ?? []).map((run) => ({ run: run.run, value: run.ackedPerSec }));
  const { value, shown } = ratioByRun(runsOf('ours-pg'), runsOf('ours'), pg.med, sqlite.med);
  return [
    targetOver(
      `PostgreSQL mode, one instance: ingest ≥ ${PG_VS_SQLITE_TARGET}× the SQLite cluster's`,
      [pg, sqlite],
      value,
      `${fmtRatio(value)} (${fmt(pg.med.value)} vs ${fmt(sqlite.med.value)} msg/s; ${shown})`,
      (v) => v >= PG_VS_SQLITE_TARGET,
    ),
  ];
}

const TITLES: Partial<Record<ServerKind, string>> = {
  ours: 'SQLite cluster (ours)',
  'ours-pg': 'PostgreSQL + Redis, 1 instance',
  'ours-pg-2': 'PostgreSQL + Redis, 2 instances',
};

/** The paragraph with the arithmetic; empty when the one-instance run has no CPU split. */
export function secondMachineParagraph(raw: RawResults, summaries: DeploymentSummary[]): string {
  const one = summaries.find((summary) => summary.kind === 'ours-pg');
  const two = summaries.find((summary) => summary.kind === 'ours-pg-2');
  const sqlite = summaries.find((summary) => summary.kind === 'ours');
  const parts = (summary: DeploymentSummary | undefined) => {
    const { instances, postgres, redis } = summary?.cpu ?? {};
    if (instances?.value == null || postgres?.value == null || redis?.value == null) return null;
    return { instances: instances.value, postgres: postgres.value, redis: redis.value };
  };
  const onePart = parts(one);
  if (!one || !onePart) return '';
  const twoPart = parts(two);
  const cores = raw.machine.cores;
  const math = secondMachineMath(cores, onePart, twoPart);
  const capacity = fmt(cores * 1000);
  const load = one.cpu.load.value;
  const rest = one.cpu.rest.value;
  const lines = [
    `**What a second machine would buy** (CPU arithmetic from the medians above; this machine has ${cores} cores, ${capacity} ms of CPU a second; ` +
      `each message is stored once and delivered to ${fmt(ingestShape(raw).clients)} clients). ` +
      `With one instance a message costs ${ms3(onePart.instances)} ms in the instance's processes, ${ms3(onePart.postgres)} ms in PostgreSQL and ${ms3(onePart.redis)} ms in Redis` +
      (load === null ? '' : `, ${ms3(load)} ms in the load generator (which a deployment would not carry)`) +
      (rest === null ? '' : `, and ${ms3(rest)} ms in other work on this shared machine`) +
      `: ${fmt(one.ackedPerSec.value)} msg/s measured. ` +
      `Without the load generator, one machine is bound at ${capacity} / (${ms3(onePart.instances)} + ${ms3(onePart.postgres)} + ${ms3(onePart.redis)}) = **${fmt(math.oneMachine)} msg/s**` +
      (sqlite?.cpu.instances.value
        ? ` (the SQLite cluster: ${capacity} / ${ms3(sqlite.cpu.instances.value)} = ${fmt((cores * 1000) / sqlite.cpu.instances.value)} msg/s, so on CPU alone PostgreSQL mode is at ${fmtRatio(ratio(math.oneMachine, (cores * 1000) / sqlite.cpu.instances.value))} of it; and the SQLite cluster cannot use a second machine).`
        : '.'),
    `- PostgreSQL + Redis on a second machine, the instance alone on this one: min(${capacity} / ${ms3(onePart.instances)}, ${capacity} / (${ms3(onePart.postgres)} + ${ms3(onePart.redis)})) = min(${fmt(math.servicesApart.instanceBound)}, ${fmt(math.servicesApart.servicesBound)}) = **${fmt(math.servicesApart.bound)} msg/s** (${fmtRatio(ratio(math.servicesApart.bound, math.oneMachine))}).`,
  ];
  if (twoPart && math.instanceEach)
    lines.push(
      `- Two instances, one on each machine, PostgreSQL + Redis beside the first: with two instances a message costs ${ms3(twoPart.instances)} ms across both (${fmtRatio(ratio(twoPart.instances, onePart.instances))} of one instance's${twoPart.instances > onePart.instances ? ': the relay through Redis' : ''}), PostgreSQL ${ms3(twoPart.postgres)} ms, Redis ${ms3(twoPart.redis)} ms; ` +
        `each instance takes half the messages, so min(${capacity} / (${ms3(twoPart.instances)} / 2 + ${ms3(twoPart.postgres)} + ${ms3(twoPart.redis)}), ${capacity} / (${ms3(twoPart.instances)} / 2)) = min(${fmt(math.instanceEach.firstMachine)}, ${fmt(math.instanceEach.secondMachine)}) = **${fmt(math.instanceEach.bound)} msg/s** (${fmtRatio(ratio(math.instanceEach.bound, math.oneMachine))}).`,
    );
  lines.push(
    `- So the bound moves from ${fmt(math.oneMachine)} to ${fmt(math.best)} msg/s (${fmtRatio(ratio(math.best, math.oneMachine))}). These are CPU bounds only: the network between the machines, PostgreSQL's commit latency under the closed loop's ${fmt(ingestShape(raw).inFlight)} messages in flight, and PostgreSQL's and Redis's other users on this machine are not in them.`,
  );
  return lines.join('\n');
}

/** What PostgreSQL and Redis ran with and how the instances were pointed at them; empty when not recorded. */
export function servicesLine(raw: RawResults): string {
  const services = raw.services;
  const setup = [...(raw.setup?.['ours-pg'] ?? []), ...(raw.setup?.['ours-pg-2'] ?? [])][0];
  const parts: string[] = [];
  if (setup) {
    const database = setup.env.CHAT_DATABASE_URL?.replace(/chat_bench_[0-9a-f_]+/g, 'chat_bench_<run>');
    parts.push(
      `Instances started with \`CHAT_DATABASE_URL=${database ?? '—'}\` and \`CHAT_REDIS_URL=${setup.env.CHAT_REDIS_URL ?? '—'}\` on top of ours's environment.`,
    );
  }
  const show = (settings: Record<string, string> | null | undefined) =>
    settings
      ? Object.entries(settings)
          .map(([key, value]) => `${key} ${value}`)
          .join(', ')
      : 'not read';
  if (services)
    parts.push(
      `PostgreSQL: ${show(services.postgres)} (${
        services.postgres?.fsync === 'on' && services.postgres.synchronous_commit === 'on'
          ? "an ack means the message is on disk, as with SQLite's synchronous=FULL"
          : "NOT as durable as SQLite's synchronous=FULL: an acked message may be lost in a crash"
      }). Redis: ${show(services.redis)} (it carries broadcasts, not the messages of record).`,
    );
  return parts.join(' ');
}

/** The "Scale-out mode" section; empty when no scale-out kind was planned or measured. */
export function scaleOutSection(raw: RawResults): string[] {
  if (!scaleOutPlanned(raw)) return [];
  const summaries = deployments(raw);
  const sqlite = summaries.find((summary) => summary.kind === 'ours')?.ackedPerSec.value;
  const cell = (med: Med, digits: number) =>
    med.n === 0 || med.value === null
      ? '—'
      : med.n > 1
        ? `${fmt(med.value, digits)} (${fmt(med.min, digits)}–${fmt(med.max, digits)})`
        : fmt(med.value, digits);
  const out = [
    '## Scale-out mode (PostgreSQL + Redis) beside the SQLite cluster, ingest',
    '',
    "The same ingest load on each. With two instances (both on this machine) the load clients alternate between them, half the senders and half the receivers on each, so every message crosses Redis. CPU per acked message is read from /proc around each run: the instances' process trees; PostgreSQL's backends opened by our instances (by application_name) plus its WAL writer, checkpointer and background writer; redis-server; the load generator's own CPU; the rest is everything else the machine did (other work on this shared machine, the bench itself). On 2 cores two instances cannot beat one: they share the same cores.",
    '',
    '| deployment | runs | acked msg/s | vs SQLite cluster | ack p50 / p99 (ms) | CPU ms per acked message: instances | PostgreSQL | Redis | load generator | rest of machine | machine busy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const summary of summaries)
    out.push(
      `| ${TITLES[summary.kind] ?? summary.kind} | ${summary.expected === null ? summary.runs : `${summary.runs} of ${summary.expected}`} | ${cell(summary.ackedPerSec, 0)} | ${summary.kind === 'ours' ? '1.00×' : fmtRatio(ratio(summary.ackedPerSec.value, sqlite))} | ${fmt(summary.ackP50.value, 1)} / ${fmt(summary.ackP99.value, 1)} | ${cell(summary.cpu.instances, 3)} | ${cell(summary.cpu.postgres, 3)} | ${cell(summary.cpu.redis, 3)} | ${cell(summary.cpu.load, 3)} | ${cell(summary.cpu.rest, 3)} | ${summary.machineBusy.value === null ? '—' : `${(summary.machineBusy.value * 100).toFixed(0)}%`} |`,
    );
  const services = servicesLine(raw);
  if (services) out.push('', services);
  const paragraph = secondMachineParagraph(raw, summaries);
  out.push('', ...(paragraph ? [paragraph, ''] : []));
  return out;
}
