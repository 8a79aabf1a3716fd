/**
 * Medians per server and scenario from the raw runs, each with the number of
 * runs it came from, the number the plan asked for, and the runs' spread.
 * Pure functions of their inputs.
 */
import type { CatchupResult, Integrity, LadderResult, ThroughputResult } from '../load/types';
import type { ServerKind } from '../servers';
import { expectedRuns, shapesMeasuredApart, type IdleRun, type InRun, type RawResults, type RawServerRuns } from './raw';
import { medianOf, NO_VALUE, ratio, type Med, type RunValue } from './stats';

export type ThroughputSummary = {
  /** Runs that completed (a failed run leaves no result). */
  runs: number;
  ackedPerSec: Med;
  ackP50: Med;
  ackP99: Med;
  deliveriesPerSec: Med;
  deliveryP50: Med;
  deliveryP99: Med;
};

/** Ours' ingest shapes and the ratios the mixed and receipts targets read. */
export type ShapesSummary = {
  /** 'alternating': phases of one run, each run's own ratio, their median; 'separate': runs of their own (older reports), the medians' ratio. */
  method: 'alternating' | 'separate';
  sendOpsPerSec: Med;
  mixedOpsPerSec: Med;
  ticksAckedPerSec: Med;
  mixedRatio: Med;
  ticksRatio: Med;
};

export type LadderPoint = {
  clients: number;
  /** Runs that reached this step. */
  runs: number;
  rssMiB: number | null;
  ackP50: number | null;
  ackP99: number | null;
  deliveryP50: number | null;
  deliveryP99: number | null;
  connectMs: number | null;
};

export type IdleProcessSummary = { label: string; rss: Med; pss: Med; uss: Med };

export type IdleSummary = {
  runs: number;
  clients: number | null;
  /** Position by position over runs: the root process first, then workers in fork order. */
  processes: IdleProcessSummary[];
  totalRss: Med;
  /** Total RSS `settleMs` after the clients synced, before the idle garbage collections (older reports' idle RSS). */
  totalRssAtSettle: Med;
  /** How long the server sat idle between that read and the idle one. */
  idleMs: Med;
  /** Shared pages split among every process on the machine that maps them, the load generator's and others' node included. */
  totalPss: Med;
  /** Private pages only: what stopping the server would free. */
  totalUss: Med;
  firstHealthyMs: Med;
  allHealthyMs: Med;
};

export type IntegritySummary = { acked: number; lost: number; duplicated: number; ackErrors: number; drainTimeouts: number };

/** Runs the plan asked for, per scenario (null: results stored before plans, nothing counts as missing). */
export type Expected = Record<'idle' | 'ingest' | 'changes' | 'fanout' | 'ladder' | 'catchup' | 'catchupRestarted', number | null>;

export type ServerSummary = {
  expected: Expected;
  ingest: ThroughputSummary;
  /** The ingest load's shapes: sends only, sends + reactions + edits, sends with delivered receipts. */
  shapes: ShapesSummary;
  fanout: ThroughputSummary;
  ladder: LadderPoint[];
  ladderRuns: number;
  /** (RSS at the RSS step − RSS at the first step) / added connections, KiB; n = runs that reached the step. */
  rssPerIdleConnKiB: Med;
  /** RSS per idle connection measured at each later step (KiB), keyed by client count. */
  rssAt: Record<string, number | null>;
  /** The largest step reached in every run, when `rssStep` was not. */
  fallbackRss: { clients: number; kib: number } | null;
  /** Time to connect and catch up the clients a growth step adds (a storm onto those already connected), by step size. */
  connectAt?: Record<string, Med>;
  /** The same, each run's own, for ratios taken run by run. */
  connectRuns?: Record<string, RunValue[]>;
  idle: IdleSummary | null;
  /** Catch-up time by missed count: from the server that stored the messages (warm), and after a restart. */
  catchupMs: Record<string, Med>;
  catchupRestartedMs: Record<string, Med>;
  integrity: IntegritySummary;
};

function throughputSummary(runs: ThroughputResult[]): ThroughputSummary {
  return {
    runs: runs.length,
    ackedPerSec: medianOf(runs.map((run) => run.ackedPerSec)),
    ackP50: medianOf(runs.map((run) => run.ack.p50)),
    ackP99: medianOf(runs.map((run) => run.ack.p99)),
    deliveriesPerSec: medianOf(runs.map((run) => run.deliveriesPerSec)),
    deliveryP50: medianOf(runs.map((run) => run.delivery.p50)),
    deliveryP99: medianOf(runs.map((run) => run.delivery.p99)),
  };
}

function ladderSummary(runs: LadderResult[]): LadderPoint[] {
  const sizes = [...new Set(runs.flatMap((run) => run.steps.map((step) => step.clients)))].sort((a, b) => a - b);
  return sizes.map((clients) => {
    const steps = runs.flatMap((run) => run.steps.filter((step) => step.clients === clients));
    const rss = medianOf(steps.map((step) => step.serverRss)).value;
    return {
      clients,
      runs: steps.length,
      rssMiB: rss === null ? null : rss / 2 ** 20,
      ackP50: medianOf(steps.map((step) => step.ack.p50)).value,
      ackP99: medianOf(steps.map((step) => step.ack.p99)).value,
      deliveryP50: medianOf(steps.map((step) => step.delivery.p50)).value,
      deliveryP99: medianOf(steps.map((step) => step.delivery.p99)).value,
      connectMs: medianOf(steps.map((step) => step.connectMs)).value,
    };
  });
}

/** Per run: (RSS at `rssStep` clients − RSS at the first step) / added clients; median over runs, KiB. */
export function rssPerIdleConnection(runs: LadderResult[], rssStep: number): Med {
  return medianOf(
    runs.map((run) => {
      const first = run.steps[0];
      const at = run.steps.find((step) => step.clients === rssStep);
      if (!first || !at || at.clients <= first.clients) return null;
      return (at.serverRss - first.serverRss) / (at.clients - first.clients) / 1024;
    }),
  );
}

/** The largest step every run reached, with its RSS per idle connection. */
function fallbackRss(runs: LadderResult[]): { clients: number; kib: number } | null {
  if (runs.length === 0) return null;
  const reached = Math.min(...runs.map((run) => run.steps[run.steps.length - 1]?.clients ?? 0));
  const kib = rssPerIdleConnection(runs, reached).value;
  return kib === null ? null : { clients: reached, kib };
}

export function idleSummary(runs: IdleRun[]): IdleSummary | null {
  if (runs.length === 0) return null;
  const positions = Math.max(...runs.map((run) => run.processes.length));
  const processes: IdleProcessSummary[] = Array.from({ length: positions }, (_unused, index) => {
    const role = runs.find((run) => run.processes[index])?.processes[index]?.role ?? 'worker';
    return {
      label: role === 'worker' ? `worker ${index}` : role,
      rss: medianOf(runs.map((run) => run.processes[index]?.rss)),
      pss: medianOf(runs.map((run) => run.processes[index]?.pss)),
      uss: medianOf(runs.map((run) => run.processes[index]?.uss)),
    };
  });
  const sum = (values: Array<number | null>) =>
    values.some((value) => value === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
  return {
    runs: runs.length,
    clients: medianOf(runs.map((run) => run.clients)).value,
    processes,
    totalRss: medianOf(runs.map((run) => sum(run.processes.map((process) => process.rss)))),
    totalRssAtSettle: medianOf(
      runs.map((run) => (run.processesAtSettle ? sum(run.processesAtSettle.map((process) => process.rss)) : null)),
    ),
    idleMs: medianOf(runs.map((run) => run.idleMs ?? null)),
    totalPss: medianOf(runs.map((run) => sum(run.processes.map((process) => process.pss)))),
    totalUss: medianOf(runs.map((run) => sum(run.processes.map((process) => process.uss ?? null)))),
    firstHealthyMs: medianOf(runs.map((run) => run.firstHealthyMs)),
    allHealthyMs: medianOf(runs.map((run) => run.allHealthyMs)),
  };
}

function integritySum(all: Integrity[]): Omit<IntegritySummary, 'drainTimeouts'> {
  return all.reduce(
    (sum, item) => ({
      acked: sum.acked + item.acked,
      lost: sum.lost + item.lost,
      duplicated: sum.duplicated + item.duplicated + item.duplicateAcks,
      ackErrors: sum.ackErrors + item.ackErrors,
    }),
    { acked: 0, lost: 0, duplicated: 0, ackErrors: 0 },
  );
}

/** A ratio of two medians, counted as coming from as many runs as the shorter of them. */
function ratioOfMedians(a: Med, b: Med): Med {
  const value = ratio(a.value, b.value);
  return value === null ? NO_VALUE : { value, n: Math.min(a.n, b.n), min: null, max: null };
}

function shapesSummary(raw: RawServerRuns): ShapesSummary {
  if (shapesMeasuredApart(raw)) {
    const send = medianOf(raw.ingest.map((run) => run.ackedPerSec));
    const mixed = medianOf((raw.mixed ?? []).map((run) => run.opsPerSec ?? null));
    const ticks = medianOf((raw.ticks ?? []).map((run) => run.ackedPerSec));
    return {
      method: 'separate',
      sendOpsPerSec: send,
      mixedOpsPerSec: mixed,
      ticksAckedPerSec: ticks,
      mixedRatio: ratioOfMedians(mixed, send),
      ticksRatio: ratioOfMedians(ticks, send),
    };
  }
  const runs = (raw.shapes ?? []).flatMap((run) => (run.shapes ? [run.shapes] : []));
  return {
    method: 'alternating',
    sendOpsPerSec: medianOf(runs.map((shapes) => shapes.send.opsPerSec)),
    mixedOpsPerSec: medianOf(runs.map((shapes) => shapes.mixed.opsPerSec)),
    ticksAckedPerSec: medianOf(runs.map((shapes) => shapes.ticks.ackedPerSec)),
    mixedRatio: medianOf(runs.map((shapes) => ratio(shapes.mixed.opsPerSec, shapes.send.opsPerSec))),
    ticksRatio: medianOf(runs.map((shapes) => ratio(shapes.ticks.ackedPerSec, shapes.send.ackedPerSec))),
  };
}

const catchupMedians = (bySize: Record<string, CatchupResult[]> | undefined): Record<string, Med> =>
  Object.fromEntries(Object.entries(bySize ?? {}).map(([missed, runs]) => [missed, medianOf(runs.map((run) => run.ms))]));

export function summarizeServer(raw: RawServerRuns, rssStep: number, expected: Expected): ServerSummary {
  const ladderSizes = [...new Set(raw.ladder.flatMap((run) => run.steps.map((step) => step.clients)))].sort((a, b) => a - b);
  const ladderSteps = raw.ladder.flatMap((run) => run.steps);
  const integrity = integritySum([
    ...raw.ingest.map((run) => run.integrity),
    ...(raw.shapes ?? []).map((run) => run.integrity),
    ...(raw.mixed ?? []).map((run) => run.integrity),
    ...(raw.ticks ?? []).map((run) => run.integrity),
    ...raw.fanout.map((run) => run.integrity),
    ...ladderSteps.map((step) => step.integrity),
  ]);
  const catchups: InRun<CatchupResult>[] = [...Object.values(raw.catchup), ...Object.values(raw.catchupRestarted ?? {})].flat();
  const drainTimeouts = [...raw.ingest, ...(raw.shapes ?? []), ...raw.fanout, ...ladderSteps].filter(
    (result) => result.drainTimedOut === true,
  ).length;
  return {
    expected,
    ingest: throughputSummary(raw.ingest),
    shapes: shapesSummary(raw),
    fanout: throughputSummary(raw.fanout),
    ladder: ladderSummary(raw.ladder),
    ladderRuns: raw.ladder.length,
    rssPerIdleConnKiB: rssPerIdleConnection(raw.ladder, rssStep),
    rssAt: Object.fromEntries(ladderSizes.slice(1).map((size) => [String(size), rssPerIdleConnection(raw.ladder, size).value])),
    fallbackRss: fallbackRss(raw.ladder),
    connectAt: Object.fromEntries(
      ladderSizes.map((size) => [
        String(size),
        medianOf(ladderSteps.filter((step) => step.clients === size).map((step) => step.connectMs)),
      ]),
    ),
    connectRuns: Object.fromEntries(
      ladderSizes.map((size) => [
        String(size),
        raw.ladder.map((run) => ({ run: run.run, value: run.steps.find((step) => step.clients === size)?.connectMs })),
      ]),
    ),
    idle: idleSummary(raw.idle ?? []),
    catchupMs: catchupMedians(raw.catchup),
    catchupRestartedMs: catchupMedians(raw.catchupRestarted),
    integrity: {
      ...integrity,
      // A completed catch-up received every missed message; what it got twice is a duplicate.
      lost: integrity.lost + catchups.reduce((sum, run) => sum + (run.ms === null ? 0 : run.missed - run.received), 0),
      duplicated: integrity.duplicated + catchups.reduce((sum, run) => sum + run.duplicates, 0),
      drainTimeouts,
    },
  };
}

export function expectedOf(raw: RawResults, kind: ServerKind): Expected {
  return {
    idle: expectedRuns(raw, kind, 'idle'),
    ingest: expectedRuns(raw, kind, 'ingest'),
    changes: expectedRuns(raw, kind, 'changes'),
    fanout: expectedRuns(raw, kind, 'fanout'),
    ladder: expectedRuns(raw, kind, 'ladder'),
    catchup: expectedRuns(raw, kind, 'catchup'),
    catchupRestarted: expectedRuns(raw, kind, 'catchupRestarted'),
  };
}

export function summarizeServers(raw: RawResults, rssStep: number): Partial<Record<ServerKind, ServerSummary>> {
  const servers: Partial<Record<ServerKind, ServerSummary>> = {};
  const kinds = new Set<ServerKind>([...(raw.plan?.kinds ?? []), ...(Object.keys(raw.servers) as ServerKind[])]);
  const empty: RawServerRuns = { ingest: [], fanout: [], ladder: [], catchup: {} };
  for (const kind of kinds) servers[kind] = summarizeServer(raw.servers[kind] ?? empty, rssStep, expectedOf(raw, kind));
  return servers;
}
