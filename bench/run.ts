/**
 * `npm run bench [-- --quick] [--runs=N] [--only=ours,tutorial,null,null-cluster,ours-pg,ours-pg-2] [--skip=idle,ingest,changes,fanout,ladder,catchup,history,push,uploads,soak,client] [--profile] [--out=dir] [--snapshot[=rev]] [--soak-rate=N]`
 *
 * --soak-rate=N sends every server's soak at N msg/s instead of half of what each sustained in its own calibration.
 *
 * --snapshot runs our server from a copy of the committed HEAD (one version for the whole run); --snapshot=<rev> from that commit.
 * --from=bench/results/latest.json rewrites the report from stored raw results without measuring.
 *
 * Starts our server (as `npm start` runs it), the tutorial baseline and the
 * null ceiling (one process, and a cluster like ours), and ours in scale-out mode
 * (PostgreSQL + Redis, one and two instances; ingest and fan-out only), drives each with the
 * same load from a separate process (bench/load/main.ts), measures the built
 * PWA, and writes medians, ratios and pass/fail per target to
 * bench/results/latest.{json,md,log} plus growth.svg. Exits 1 when a planned
 * run failed or finished only in part: such a report is not to be trusted.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServer } from '../scripts/build-server.mjs';
import { growthSvg } from './chart';
import { soakSvg } from './soak-chart';
import { measureSoak } from './soak';
import { measureBundle, measureClient } from './client-metrics';
import { probeDisk } from './disk';
import {
  CATCHUP_RESTARTED_KINDS,
  CHANGE_MIX,
  SCENARIOS,
  SOAK_KINDS,
  type RawResults,
  type RawServerRuns,
  type Scenario,
} from './report/raw';
import { toMarkdown } from './report/markdown';
import { summarize } from './report/summarize';
import { measureHistory } from './history';
import { measurePush } from './push';
import { serverViewText } from './report/upload-targets';
import { measureUploads } from './uploads';
import { measureCatchup, measureIdle, measureLadder, measureThroughput, type MeasureContext } from './measure';
import { PHASES_PER_SHAPE } from './load/ingest-shapes';
import { ratio } from './report/stats';
import { summarizeProfiles, type ProfileSummary } from './profile';
import {
  benchTempDir,
  cleanupAll,
  commandFor,
  isScaleOut,
  OUR_WORKERS,
  SERVER_KINDS,
  serverDefaults,
  snapshotHead,
  type BenchServer,
  type ServerKind,
} from './servers';
import { FULL, QUICK, type Settings } from './settings';
import { cpuLine } from './report/scale-out';
import { readServiceSettings } from './scale-out';

/** CPU profiles of the scale-out kinds, each summarized on its own. */
type ScaleOutProfiles = Partial<Record<ServerKind, ProfileSummary>>;
import { ensureTutorialPackages } from './tutorial-packages';

type Options = {
  quick: boolean;
  runs: number | null;
  only: ServerKind[];
  skip: Set<string>;
  profile: boolean;
  out: string;
  /** The revision our server runs from (a snapshot), or null for the working tree. */
  snapshot: string | null;
  from: string | null;
  /** The soak's rate, msg/s; null: calibrate. */
  soakRate: number | null;
};

function parseArgs(argv: string[]): Options {
  const options: Options = {
    quick: false,
    runs: null,
    only: [...SERVER_KINDS],
    skip: new Set(),
    profile: false,
    out: '',
    snapshot: null,
    from: null,
    soakRate: null,
  };
  for (const arg of argv) {
    const [key, value = ''] = arg.split('=');
    if (key === '--quick') options.quick = true;
    else if (key === '--profile') options.profile = true;
    else if (key === '--snapshot') options.snapshot = value || 'HEAD';
    else if (key === '--from' && value) options.from = value;
    else if (key === '--soak-rate' && Number(value) > 0) options.soakRate = Number(value);
    else if (key === '--runs') options.runs = Math.max(1, Math.min(10, Number(value) || 1));
    else if (key === '--only')
      options.only = value.split(',').filter((kind): kind is ServerKind => (SERVER_KINDS as string[]).includes(kind));
    else if (key === '--skip') {
      for (const part of value.split(',')) {
        if (!(SCENARIOS as readonly string[]).includes(part)) throw new Error(`unknown scenario ${part} (one of ${SCENARIOS.join(', ')})`);
        options.skip.add(part);
      }
    } else if (key === '--out' && value) options.out = value;
    else throw new Error(`unknown option ${arg}`);
  }
  // A quick run never overwrites the committed full results.
  if (!options.out) options.out = options.quick ? 'bench/results/quick' : 'bench/results';
  return options;
}

const started = performance.now();
/** Set once the output directory is known: every log line also goes to <out>/latest.log, so the log is always this run's. */
let logFile: string | null = null;
const log = (line: string) => {
  const text = `[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`;
  process.stderr.write(text);
  if (logFile) appendFileSync(logFile, text);
};

/** Rotates the server order per run so no server always goes first (warm caches, thermal drift). */
function rotated<T>(items: T[], by: number): T[] {
  const shift = by % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** Summarizes raw results and writes latest.json, latest.md and growth.svg into `outDir`; returns the problems that fail it. */
function writeReport(
  raw: RawResults,
  settings: Settings,
  outDir: string,
  oursVersion: string,
  profile: ProfileSummary | null,
  scaleOutProfiles: ScaleOutProfiles = {},
): string[] {
  mkdirSync(outDir, { recursive: true });
  const catchupSize = String(settings.catchup.sizes.includes(10_000) ? 10_000 : Math.max(...settings.catchup.sizes));
  const summary = summarize(raw, settings.rssStep, catchupSize);
  const settingsLine =
    `Settings: idle ${settings.idle.clients} clients (ours and null cluster with WORKERS=${settings.idle.workers}); ` +
    `ingest ${settings.ingest.clients} clients (${settings.ingest.senders} senders × window ${settings.ingest.window}), ` +
    `fan-out ${settings.fanout.clients} clients (${settings.fanout.senders} senders × window ${settings.fanout.window}), T = ${settings.durationMs / 1000} s after ${settings.warmupMs / 1000} s warm-up; ` +
    `growth ${settings.ladder.steps.join(' → ')} clients (probe ${settings.ladder.probeRate} msg/s for ${settings.ladder.probeMs / 1000} s); ` +
    `catch-up ${settings.catchup.sizes.join(' / ')} missed` +
    (raw.plan?.scenarios.includes('soak')
      ? `; soak ${settings.soak.clients} clients (${settings.soak.senders} sending) for ${settings.soak.durationMs / 60_000} min, ${settings.soak.churnPerMinute * 100}% reconnecting a minute`
      : '') +
    `. Ours (${oursVersion}): node:cluster, ${raw.machine.cores} workers. ` +
    `Null cluster: the null server as a node:cluster of ${raw.machine.cores} workers with @socket.io/cluster-adapter, connections dealt round robin by the primary (WebSocket only). Tutorial and null: one process.` +
    (raw.plan?.kinds.some(isScaleOut)
      ? ` Scale-out: ours with CHAT_DATABASE_URL (PostgreSQL, a fresh schema per start) and CHAT_REDIS_URL (Redis Streams adapter), one instance or two of ${raw.machine.cores} workers each on this machine, the load clients alternating between the two.`
      : '');
  writeFileSync(join(outDir, 'latest.json'), `${JSON.stringify({ raw, summary, profile, scaleOutProfiles }, null, 2)}\n`);
  const markdown =
    toMarkdown(raw, summary, settingsLine) +
    (profile ? `\n## CPU profile of our server (self time, all workers)\n\n${profile.markdown}\n` : '') +
    Object.entries(scaleOutProfiles)
      .map(
        ([kind, summary]) =>
          `\n## CPU profile of ${kind}, scale-out mode (self time, every worker of every instance)\n\n${summary.markdown}\n`,
      )
      .join('');
  writeFileSync(join(outDir, 'latest.md'), markdown);
  writeFileSync(join(outDir, 'growth.svg'), growthSvg(summary, `${raw.mode} · median of ${raw.runs} · ${raw.startedAt}`));
  if (raw.soak) writeFileSync(join(outDir, 'soak.svg'), soakSvg(raw.soak, `${raw.mode} · ${raw.startedAt}`));
  process.stdout.write(markdown);
  return summary.problems;
}

/** Notes what a server really ran with: one entry per distinct worker count and /healthz answer, counting starts. */
function recordSetup(raw: RawResults, server: BenchServer): void {
  const setups = (raw.setup ??= {});
  const list = (setups[server.kind] ??= []);
  const workers = Number(server.env.WORKERS);
  const same = list.find((setup) => setup.workers === workers && JSON.stringify(setup.healthz) === JSON.stringify(server.healthz));
  if (same) same.starts += 1;
  else list.push({ command: commandFor(server.kind), workers, env: server.env, healthz: server.healthz, starts: 1 });
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  if (options.from) {
    const stored = JSON.parse(readFileSync(options.from, 'utf8')) as {
      raw: RawResults;
      profile: ProfileSummary | null;
      scaleOutProfiles?: ScaleOutProfiles;
    };
    const storedSettings = { ...FULL, ...(stored.raw.settings as Partial<Settings>) } as Settings & { ours?: string };
    return writeReport(
      stored.raw,
      storedSettings,
      options.out,
      storedSettings.ours ?? 'unknown version',
      stored.profile,
      stored.scaleOutProfiles,
    ).length;
  }
  const base = options.quick ? QUICK : FULL;
  const settings: Settings = { ...base, runs: options.runs ?? base.runs, soak: { ...base.soak, rate: options.soakRate ?? base.soak.rate } };
  const outDir = options.out;
  mkdirSync(outDir, { recursive: true });
  logFile = join(outDir, 'latest.log');
  writeFileSync(logFile, '');
  let oursVersion: string;
  if (options.snapshot) {
    const snapshot = snapshotHead(options.snapshot);
    serverDefaults.oursCwd = snapshot.dir;
    oursVersion = `commit ${snapshot.commit} (snapshot)`;
  } else {
    await buildServer();
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', 'server', 'shared'], { encoding: 'utf8' }).trim() !== '';
    oursVersion = `working tree at ${commit}${dirty ? ' with uncommitted server/shared changes' : ''}`;
  }
  log(`ours: ${oursVersion}`);
  const scenarios = SCENARIOS.filter((scenario) => !options.skip.has(scenario));
  const planned = (scenario: Scenario) => scenarios.includes(scenario);
  if (options.only.includes('tutorial') && scenarios.some((scenario) => scenario !== 'client')) ensureTutorialPackages(log);
  const diskDir = benchTempDir('bench-disk-');
  const raw: RawResults = {
    startedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    runs: settings.runs,
    machine: { cores: availableParallelism(), memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    settings: { ...settings, ours: oursVersion, ourWorkers: OUR_WORKERS },
    plan: { kinds: options.only, scenarios, catchupSizes: settings.catchup.sizes },
    servers: {},
    client: null,
    errors: [],
    disk: { before: probeDisk(diskDir), after: null },
  };
  const fsync = raw.disk?.before.fsync;
  log(
    `disk: ${raw.disk?.before.mount?.fsType ?? 'unknown filesystem'}, write + fsync 4 KiB p50 ${fsync?.p50Ms?.toFixed(1)} ms, p99 ${fsync?.p99Ms?.toFixed(1)} ms`,
  );
  if (options.only.some(isScaleOut) && planned('ingest')) raw.services = await readServiceSettings();
  const runsOf = (kind: ServerKind): RawServerRuns => (raw.servers[kind] ??= { ingest: [], fanout: [], ladder: [], idle: [], catchup: {} });
  const attempt = async (what: string, task: () => Promise<void>) => {
    try {
      await task();
    } catch (error) {
      const text = `${what}: ${error instanceof Error ? error.message : String(error)}`;
      raw.errors.push(text);
      log(`ERROR ${text.slice(0, 2000)}`);
    }
  };
  const context: MeasureContext = { settings, log, started: (server) => recordSetup(raw, server) };
  const profileDir = join(outDir, 'profiles');
  // Ours profiles into profiles/, each scale-out kind into profiles/<kind>/: summarized apart.
  const profileDirOf = (kind: ServerKind) => (isScaleOut(kind) ? join(profileDir, kind) : profileDir);
  const cleared = new Set<string>();
  const profileArgs = (kind: ServerKind): string[] => {
    if (!options.profile || (kind !== 'ours' && !isScaleOut(kind))) return [];
    const dir = profileDirOf(kind);
    mkdirSync(dir, { recursive: true });
    // Profiles of an earlier run in the same directory would be summed with this run's.
    if (!cleared.has(dir)) {
      for (const file of readdirSync(dir)) if (file.endsWith('.cpuprofile')) rmSync(join(dir, file));
      cleared.add(dir);
    }
    return ['--cpu-prof', `--cpu-prof-dir=${profileDirOf(kind)}`];
  };
  const mb = (bytes: number | null) => (bytes === null ? '—' : (bytes / 1e6).toFixed(1));

  // The kinds a scenario measures, one right after another: a ratio between two kinds (PostgreSQL to the
  // SQLite cluster, ours to the null server in the storm) compares runs a minute apart, not a whole run's
  // worth of other scenarios apart, while this machine's speed drifts by the minute. The kinds' order
  // rotates over the runs, so none is always first.
  const idle = async (kind: ServerKind, run: number) => {
    const result = await measureIdle(kind, context);
    (runsOf(kind).idle ??= []).push({ ...result, run });
    log(
      `${kind}: first /healthz 200 after ${result.firstHealthyMs?.toFixed(0)} ms, all workers ${result.allHealthyMs.toFixed(0)} ms; ` +
        `idle with ${result.clients} clients: RSS ${result.processes.map((process) => `${process.role} ${mb(process.rss)}`).join(', ')} MB; ` +
        `PSS ${result.processes.map((process) => mb(process.pss)).join(' / ')} MB`,
    );
  };
  const ingest = async (kind: ServerKind, run: number) => {
    const result = await measureThroughput(kind, settings.ingest, context, profileArgs(kind));
    runsOf(kind).ingest.push({ ...result, run });
    log(
      `${kind}: ingest ${settings.ingest.clients} clients: ${result.ackedPerSec.toFixed(0)} acked/s, ack p99 ${result.ack.p99?.toFixed(1)} ms, lost ${result.integrity.lost}, dup ${result.integrity.duplicated}, ack errors ${result.integrity.ackErrors}${result.drainTimedOut ? ', DRAIN TIMED OUT' : ''}` +
        (result.cpu ? `; CPU ${cpuLine(result.cpu)}` : ''),
    );
  };
  // The mixed and receipts targets are ratios to sends only, so the three shapes take turns in one run
  // (bench/load/ingest-shapes.ts): runs of their own minutes apart differed by the machine's drift.
  const shapes = async (kind: ServerKind, run: number) => {
    const phaseMs = settings.shapePhaseMs;
    const result = await measureThroughput(kind, settings.ingest, context, profileArgs(kind), {
      mix: CHANGE_MIX,
      alternate: { phaseMs },
    });
    (runsOf(kind).shapes ??= []).push({ ...result, run });
    const { send, mixed, ticks } = result.shapes ?? {};
    // The ratios the targets read: ops (sends + changes) for the mix, sends alone for the receipts.
    const of = (rate: number | undefined, base: number | undefined) => `${rate?.toFixed(0)} (${ratio(rate, base)?.toFixed(2)}×)`;
    log(
      `${kind}: ingest shapes taking turns (${PHASES_PER_SHAPE} phases of ${phaseMs} ms each): sends only ${send?.ackedPerSec.toFixed(0)} acked/s, ` +
        `mixed ${of(mixed?.opsPerSec, send?.opsPerSec)} ops/s, with receipts ${of(ticks?.ackedPerSec, send?.ackedPerSec)} acked/s (${ticks?.receipts} receipts); ` +
        `ack p99 ${[send, mixed, ticks].map((shape) => shape?.ackP99?.toFixed(1)).join(' / ')} ms, change errors ${result.changes?.errors}, lost ${result.integrity.lost}`,
    );
  };
  const fanout = async (kind: ServerKind, run: number) => {
    const result = await measureThroughput(kind, settings.fanout, context, profileArgs(kind));
    runsOf(kind).fanout.push({ ...result, run });
    log(
      `${kind}: fan-out ${settings.fanout.clients} clients: ${result.deliveriesPerSec.toFixed(0)} deliveries/s, delivery p99 ${result.delivery.p99?.toFixed(1)} ms, lost ${result.integrity.lost}, dup ${result.integrity.duplicated}, ack errors ${result.integrity.ackErrors}${result.drainTimedOut ? ', DRAIN TIMED OUT' : ''}`,
    );
  };
  const ladder = async (kind: ServerKind, run: number) => {
    const result = await measureLadder(kind, context, profileArgs(kind));
    runsOf(kind).ladder.push({ ...result, run });
    log(
      `${kind}: growth ${result.steps.map((step) => `${step.clients}→${(step.serverRss / 2 ** 20).toFixed(0)}MiB/p99 ${step.delivery.p99?.toFixed(1)}ms`).join(', ')}${result.error ? `; stopped: ${result.error}` : ''}`,
    );
  };
  // The scale-out kinds run the ingest and the fan-out alone: the issue asks for the same load beside the SQLite cluster.
  const steps: Array<{ planned: boolean; what: string; measure: typeof idle; kinds: (kind: ServerKind) => boolean }> = [
    { planned: planned('idle'), what: 'idle memory', measure: idle, kinds: (kind) => !isScaleOut(kind) },
    { planned: planned('ingest'), what: 'ingest', measure: ingest, kinds: () => true },
    { planned: planned('changes'), what: 'ingest shapes', measure: shapes, kinds: (kind) => kind === 'ours' },
    { planned: planned('fanout'), what: 'fan-out', measure: fanout, kinds: () => true },
    { planned: planned('ladder'), what: 'growth series', measure: ladder, kinds: (kind) => !isScaleOut(kind) },
  ];
  for (let run = 1; run <= settings.runs; run++)
    for (const step of steps.filter((step) => step.planned))
      for (const kind of rotated(options.only, run - 1).filter(step.kinds))
        await attempt(`${kind} ${step.what} run ${run}`, () => step.measure(kind, run));
  if (planned('catchup'))
    for (const kind of options.only.filter((kind) => CATCHUP_RESTARTED_KINDS.includes(kind)))
      await attempt(`${kind} catch-up`, async () => {
        const { warm, restarted } = await measureCatchup(kind, context, settings.runs, raw.errors, profileArgs(kind));
        runsOf(kind).catchup = kind === 'tutorial' ? {} : warm;
        runsOf(kind).catchupRestarted = restarted;
      });
  if (planned('history'))
    await attempt('history and search', async () => {
      raw.history = await measureHistory(context, settings.history.messages);
    });
  if (planned('push') && options.only.includes('ours'))
    await attempt('push fan-out', async () => {
      raw.push = await measurePush(context, profileArgs('ours'));
    });
  if (planned('uploads') && options.only.includes('ours'))
    await attempt('uploads', async () => {
      const result = await measureUploads(context);
      raw.uploads = result;
      const ms = (value: number | null) => (value === null ? '—' : value.toFixed(0));
      log(
        `uploads: ${result.clients} clients × ${(result.bytes / 1e6).toFixed(1)} MB: ours ${result.ours.perSec.toFixed(1)}/s (p99 ${ms(result.ours.p99Ms)} ms, errors ${result.ours.errors}), ` +
          `file copy ${result.fileCopy.perSec.toFixed(1)}/s (p99 ${ms(result.fileCopy.p99Ms)} ms); text ingest ${result.ingestAlone.toFixed(0)} acked/s alone, ` +
          `${result.ingestDuringUploads.toFixed(0)} during uploads (${result.ingestRatio?.toFixed(2) ?? '—'}×, ${result.uploadsDuringIngest} uploads meanwhile)` +
          (result.server ? `; ${serverViewText(result.server)}` : ''),
      );
    });
  if (planned('soak'))
    for (const kind of SOAK_KINDS.filter((kind) => options.only.includes(kind)))
      await attempt(`${kind} soak`, async () => {
        const soak = (raw.soak ??= { warmupMinutes: settings.soak.warmupMinutes, results: {} });
        // Each server at half of what it sustains itself, unless --soak-rate gives one rate for all:
        // at ours's rate the null cluster fell behind (acks 30 s late, clients dropped on ping timeouts).
        soak.results[kind] = await measureSoak(kind, context, settings.soak.rate);
      });
  if (planned('client'))
    await attempt('client metrics', async () => {
      if (settings.lighthouse) raw.client = await measureClient(settings.clientRuns, log);
      else
        raw.client = {
          bundle: measureBundle(),
          lighthouse: { status: 'skipped', detail: 'quick mode' },
          offline: { status: 'skipped', detail: 'quick mode' },
        };
      log(`client: bundle ${raw.client.bundle.status}, lighthouse ${raw.client.lighthouse.status}, offline ${raw.client.offline.status}`);
    });
  if (raw.disk) raw.disk.after = probeDisk(diskDir);

  const profile = options.profile ? summarizeProfiles(profileDir, 25) : null;
  const scaleOutProfiles: ScaleOutProfiles = {};
  if (options.profile)
    for (const kind of options.only.filter(isScaleOut)) {
      const summary = summarizeProfiles(profileDirOf(kind), 25);
      if (summary) scaleOutProfiles[kind] = summary;
    }
  const problems = writeReport(raw, settings, outDir, oursVersion, profile, scaleOutProfiles);
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s → ${outDir}/latest.md, latest.json, latest.log, growth.svg`);
  if (problems.length > 0) log(`the report FAILS: ${problems.length} problem${problems.length === 1 ? '' : 's'} (listed in latest.md)`);
  return problems.length;
}

process.on('exit', cleanupAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanupAll();
    process.exit(130);
  });
}

main().then(
  (problems) => process.exit(problems > 0 ? 1 : 0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    cleanupAll();
    process.exit(1);
  },
);
