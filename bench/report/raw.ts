/**
 * What a benchmark run stores (the `raw` of latest.json): every run of every
 * scenario as measured, what each server ran with, the disk, and what was
 * planned, so the report can say how many runs each median came from and fail
 * when one is missing.
 */
import type { ClientMetrics } from '../client-metrics';
import type { DiskProbe } from '../disk';
import type { HistoryResult } from '../history';
import type { CatchupResult, IdleResult, LadderResult, PushBenchResult, SoakResult, ThroughputResult } from '../load/types';
import type { UploadBenchResult } from '../uploads';
import type { ServerKind } from '../servers';

/** A result with the run (1-based) it belongs to; absent in results stored before runs were numbered. */
export type InRun<T> = T & { run?: number };

export type IdleRun = InRun<IdleResult> & {
  /** Workers the server was started with (1: one process). */
  workers: number;
  /** Spawn of `node` → first /healthz 200, ms. */
  firstHealthyMs: number | null;
  /** Spawn → every worker answered /healthz, ms. */
  allHealthyMs: number;
};

/**
 * CPU each part of a deployment spent during one throughput run (read from /proc before
 * and after the load job: connect, warm-up, window and drain), and the messages acked meanwhile.
 */
export type CpuSplit = {
  /** Each instance's process tree (primary + workers), ms. */
  instancesMs: number[];
  /** Our PostgreSQL backends (by application_name) plus its WAL writer, checkpointer and background writer, ms; null outside scale-out mode. */
  postgresMs: number | null;
  /** The redis-server process, ms (shared: anything else using this Redis counts too); null outside scale-out mode. */
  redisMs: number | null;
  /** The load generator process, ms; null when it did not say. */
  loadMs?: number | null;
  /** The whole machine busy, every core: the load generator and anything else running included, ms. */
  machineMs: number;
  wallMs: number;
  /** Messages acked during the job. */
  acked: number;
};

/** PostgreSQL's and Redis's settings as read before a run with scale-out kinds (null: unreadable). */
export type ServiceSettings = { postgres: Record<string, string> | null; redis: Record<string, string> | null };

export type ThroughputRun = InRun<ThroughputResult> & { cpu?: CpuSplit };

export type RawServerRuns = {
  ingest: ThroughputRun[];
  fanout: InRun<ThroughputResult>[];
  ladder: InRun<LadderResult>[];
  idle?: IdleRun[];
  /** Catch-up from the server that stored the messages over its own protocol (tail cache warm), keyed by missed count. */
  catchup: Record<string, InRun<CatchupResult>[]>;
  /** Catch-up from a server started on the stored database: restarted after seeding, tail cache empty. */
  catchupRestarted?: Record<string, InRun<CatchupResult>[]>;
  /**
   * The ingest load's shapes taking turns in one run (ours only): sends only, 70% sends + 20% reactions
   * + 10% edits, and sends with every client sending delivered receipts, as the PWA does.
   */
  shapes?: InRun<ThroughputResult>[];
  /** Reports before the shapes took turns measured the mix and the receipts as runs of their own. */
  mixed?: InRun<ThroughputResult>[];
  ticks?: InRun<ThroughputResult>[];
};

/** A report from before the shapes took turns in one run: the mix and the receipts measured as runs of their own. */
export const shapesMeasuredApart = (runs: RawServerRuns): boolean =>
  runs.shapes === undefined && (runs.mixed !== undefined || runs.ticks !== undefined);

/** One configuration a server really ran with: the environment it was given and what its /healthz said. */
export type ServerSetup = { command: string; workers: number; env: Record<string, string>; healthz: unknown; starts: number };

export const SCENARIOS = [
  'idle',
  'ingest',
  'changes',
  'fanout',
  'ladder',
  'catchup',
  'history',
  'push',
  'uploads',
  'soak',
  'client',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Issue #15's mixed workload: of every ten operations, two reactions and one edit. */
export const CHANGE_MIX = { reactions: 0.2, edits: 0.1 };

/** Servers whose catch-up is measured warm (seeded through their own protocol) and after a restart. */
export const CATCHUP_WARM_KINDS: readonly ServerKind[] = ['ours'];
export const CATCHUP_RESTARTED_KINDS: readonly ServerKind[] = ['ours', 'tutorial'];

/** Our server in scale-out mode (PostgreSQL + Redis, one and two instances): measured under the ingest and fan-out loads only. */
export const SCALE_OUT_SCENARIO_KINDS: readonly ServerKind[] = ['ours-pg', 'ours-pg-2'];

/** The soak runs against ours and the null cluster of the same process shape (the report's ceiling everywhere else). */
export const SOAK_KINDS: readonly ServerKind[] = ['ours', 'null-cluster'];

/** The soak of each server (one run each), and the minutes at its start that the targets ignore. */
export type SoakRuns = {
  warmupMinutes: number;
  results: Partial<Record<ServerKind, SoakResult>>;
};

/** What was asked for: the runs each median should come from follow from it. */
export type RunPlan = { kinds: ServerKind[]; scenarios: Scenario[]; catchupSizes: number[] };

export type RawResults = {
  startedAt: string;
  mode: 'quick' | 'full';
  runs: number;
  machine: { cores: number; memoryGiB: number; node: string };
  settings: Record<string, unknown>;
  servers: Partial<Record<ServerKind, RawServerRuns>>;
  client: ClientMetrics | null;
  /** Runs that failed outright (a crash, a timeout, a load job that exited), with the reason. */
  errors: string[];
  /** Absent in results stored before it existed: then no run counts as missing. */
  plan?: RunPlan;
  setup?: Partial<Record<ServerKind, ServerSetup[]>>;
  disk?: { before: DiskProbe; after: DiskProbe | null };
  /** Bounded history and search at scale (ours), measured once; absent when not planned or failed (then in `errors`). */
  history?: HistoryResult;
  /** One message to a room of offline subscribed members, and the acks of other senders meanwhile (#16); absent when not planned or failed. */
  push?: PushBenchResult;
  /** #17's soak; absent when not planned or when every server's failed (then in `errors`). */
  soak?: SoakRuns;
  /** What PostgreSQL and Redis ran with; present when a scale-out kind was planned. */
  services?: ServiceSettings;
  /** Uploads against a file-copy baseline, and text ingest while they run (#18); absent when not planned or failed. */
  uploads?: UploadBenchResult;
};

/** How many runs of `scenario` the plan asked of `kind` (per catch-up size for the catch-ups). */
export function expectedRuns(raw: RawResults, kind: ServerKind, scenario: Scenario | 'catchupRestarted'): number | null {
  const plan = raw.plan;
  if (!plan) return null;
  if (!plan.kinds.includes(kind)) return 0;
  // The scale-out kinds run the ingest and the fan-out alone (#17: the same load beside the SQLite cluster).
  if (SCALE_OUT_SCENARIO_KINDS.includes(kind))
    return (scenario === 'ingest' || scenario === 'fanout') && plan.scenarios.includes(scenario) ? raw.runs : 0;
  if (scenario === 'catchup') return plan.scenarios.includes('catchup') && CATCHUP_WARM_KINDS.includes(kind) ? raw.runs : 0;
  if (scenario === 'catchupRestarted') return plan.scenarios.includes('catchup') && CATCHUP_RESTARTED_KINDS.includes(kind) ? raw.runs : 0;
  if (scenario === 'client' || scenario === 'history' || scenario === 'push' || scenario === 'soak' || scenario === 'uploads') return 0;
  // Edits, reactions and receipts exist in our protocol only.
  if (scenario === 'changes') return plan.scenarios.includes('changes') && kind === 'ours' ? raw.runs : 0;
  return plan.scenarios.includes(scenario) ? raw.runs : 0;
}
