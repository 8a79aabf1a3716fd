/**
 * Pass or fail per target. A target is computed from medians; when any of them
 * came from fewer runs than planned it fails, whatever its value, and says so.
 * Ratios to "null" are to the null cluster (primary + our worker count, our
 * adapter): the one-process null server is no ceiling for a cluster.
 */
import type { ClientMetrics } from '../client-metrics';
import type { ServerKind } from '../servers';
import { medianOf, NO_VALUE, ratio, ratiosPerRun, type Med, type RunValue } from './stats';
import type { ServerSummary } from './summary';

export type TargetRow = {
  target: string;
  value: string;
  /** Runs each input came from, e.g. "ours 3/3, null cluster 3/3". */
  runs: string;
  pass: boolean | null;
};

/** Idle memory targets are in MB (10^6 bytes), as stated. */
export const MB = 1e6;
/** #17: catch-up after a restart at least this many times faster than the tutorial (was 5× in round one). */
const MIN_CATCHUP_SPEEDUP = 10;
const LONG_CATCHUP = 100_000;
export const IDLE_TOTAL_RSS_MB = 200;
export const IDLE_PRIMARY_RSS_MB = 70;
export const STARTUP_MS = 2_000;
/** #17: a warm start offline, navigation to an enabled composer. */
export const OFFLINE_RELOAD_MAX_MS = 100;
/** Growth steps whose connection storm is a target (#17): the clients each adds connect at once. */
export const STORM_STEPS = [5_000, 10_000];
export const MAX_STORM_RATIO = 1.5;

type Input = { label: string; med: Med; expected: number | null };
type InputOf = (label: string, server: ServerSummary | undefined, med: Med | undefined, expected: keyof ServerSummary['expected']) => Input;

export const fmt = (value: number | null | undefined, digits = 0): string =>
  typeof value === 'number' && Number.isFinite(value)
    ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';
/** A Lighthouse score's median: a median of two runs can fall between scores (99.5 is not 100). */
export const fmtScore = (score: number | null): string => fmt(score, score === null || Number.isInteger(score) ? 0 : 1);
export const fmtRatio = (value: number | null): string => (value === null ? '—' : `${value.toFixed(2)}×`);

/**
 * A ratio between two kinds: the median of each run's own ratio (the kinds of one run measured a
 * minute apart), or, for stored results whose runs are not numbered, the ratio of the medians.
 * `shown` lists the runs' ratios for the report.
 */
export function ratioByRun(a: readonly RunValue[], b: readonly RunValue[], medA: Med, medB: Med): { value: number | null; shown: string } {
  const perRun = ratiosPerRun(a, b);
  if (perRun.length === 0) return { value: ratio(medA.value, medB.value), shown: 'ratio of the medians' };
  return { value: medianOf(perRun).value, shown: `median of the runs' ratios ${perRun.map(fmtRatio).join(', ')}` };
}

/**
 * A target over medians: n/a when an input was not planned (or not measured at all in
 * a stored run without a plan), FAIL when one came from fewer runs than planned.
 */
export function targetOver(name: string, inputs: Input[], value: number | null, shown: string, ok: (value: number) => boolean): TargetRow {
  const runs = inputs.map((input) => `${input.label} ${input.med.n}/${input.expected ?? input.med.n}`).join(', ');
  if (inputs.some((input) => input.expected === 0 || (input.expected === null && input.med.n === 0)))
    return { target: name, value: 'not measured', runs, pass: null };
  const short = inputs.filter((input) => input.expected !== null && input.med.n < input.expected);
  if (short.length > 0) {
    const which = short.map((input) => `${input.label} from ${input.med.n} of ${input.expected} runs`).join(', ');
    return { target: name, value: `${value === null ? '—' : shown} (${which})`, runs, pass: false };
  }
  return { target: name, value: shown, runs, pass: value === null ? false : ok(value) };
}

/** "3 runs 600–1,200" or "1 run". */
const runsSpread = (med: Med, digits = 0) =>
  med.n > 1 ? `${med.n} runs ${fmt(med.min, digits)}–${fmt(med.max, digits)}` : `${med.n} run${med.n === 1 ? '' : 's'}`;

export function evaluateTargets(
  servers: Partial<Record<ServerKind, ServerSummary>>,
  client: ClientMetrics | null,
  catchupSize: string,
  rssStep: number,
): TargetRow[] {
  const ours = servers.ours;
  const tutorial = servers.tutorial;
  const ceiling = servers['null-cluster'];
  const input: InputOf = (label, server, med, expected) => ({
    label,
    med: med ?? NO_VALUE,
    expected: server ? server.expected[expected] : 0,
  });
  const rows: TargetRow[] = [];

  const oursIngest = input('ours', ours, ours?.ingest.ackedPerSec, 'ingest');
  const tutorialIngest = input('tutorial', tutorial, tutorial?.ingest.ackedPerSec, 'ingest');
  const ceilingIngest = input('null cluster', ceiling, ceiling?.ingest.ackedPerSec, 'ingest');
  const vsTutorial = ratio(oursIngest.med.value, tutorialIngest.med.value);
  rows.push(
    targetOver(
      'Ingest at 10 clients ≥ 8× tutorial',
      [oursIngest, tutorialIngest],
      vsTutorial,
      `${fmtRatio(vsTutorial)} (${fmt(oursIngest.med.value)} vs ${fmt(tutorialIngest.med.value)} msg/s; the tutorial's ${runsSpread(tutorialIngest.med)})`,
      (v) => v >= 8,
    ),
  );
  const vsCeiling = ratio(oursIngest.med.value, ceilingIngest.med.value);
  rows.push(
    targetOver(
      'Ingest at 10 clients ≥ 0.5× null cluster (no fsync)',
      [oursIngest, ceilingIngest],
      vsCeiling,
      `${fmtRatio(vsCeiling)} (${fmt(oursIngest.med.value)} vs ${fmt(ceilingIngest.med.value)} msg/s)`,
      (v) => v >= 0.5,
    ),
  );
  rows.push(...shapeTargets(ours, input));

  const fanout = [
    input('ours', ours, ours?.fanout.deliveriesPerSec, 'fanout'),
    input('null cluster', ceiling, ceiling?.fanout.deliveriesPerSec, 'fanout'),
  ];
  const fanoutRatio = ratio(fanout[0]?.med.value, fanout[1]?.med.value);
  rows.push(targetOver('Fan-out: deliveries/s ≥ 0.5× null cluster', fanout, fanoutRatio, fmtRatio(fanoutRatio), (v) => v >= 0.5));
  const p99 = [
    input('ours', ours, ours?.fanout.deliveryP99, 'fanout'),
    input('null cluster', ceiling, ceiling?.fanout.deliveryP99, 'fanout'),
  ];
  const p99Ratio = ratio(p99[0]?.med.value, p99[1]?.med.value);
  rows.push(targetOver("Fan-out: delivery p99 ≤ 2× null cluster's", p99, p99Ratio, fmtRatio(p99Ratio), (v) => v <= 2));

  // #17: ≥ 10× at 10,000 and at 100,000 (the largest size a full run measures), after a restart.
  const catchupSizes = [...new Set([catchupSize, String(LONG_CATCHUP)])].filter(
    (key) => key === catchupSize || ours?.catchupRestartedMs[key] !== undefined,
  );
  for (const key of catchupSizes) {
    const catchup = [
      input('ours', ours, ours?.catchupRestartedMs[key], 'catchupRestarted'),
      input('tutorial', tutorial, tutorial?.catchupRestartedMs[key], 'catchupRestarted'),
    ];
    const speedup = ratio(catchup[1]?.med.value, catchup[0]?.med.value);
    rows.push(
      targetOver(
        `Catch-up of ${Number(key).toLocaleString('en-US')} after a restart (tail cache empty) ≥ ${MIN_CATCHUP_SPEEDUP}× faster than tutorial`,
        catchup,
        speedup,
        `${fmtRatio(speedup)} (${fmt(catchup[0]?.med.value)} vs ${fmt(catchup[1]?.med.value)} ms)`,
        (v) => v >= MIN_CATCHUP_SPEEDUP,
      ),
    );
  }

  const rss = [
    input('ours', ours, ours?.rssPerIdleConnKiB, 'ladder'),
    input('null cluster', ceiling, ceiling?.rssPerIdleConnKiB, 'ladder'),
  ];
  const rssRatio = ratio(rss[0]?.med.value, rss[1]?.med.value);
  const fallback = ours?.fallbackRss;
  const ceilingAt = fallback ? ceiling?.rssAt[String(fallback.clients)] : undefined;
  const reached =
    rss[0]?.med.n === 0 && fallback && typeof ceilingAt === 'number'
      ? ` (ours did not reach ${rssStep.toLocaleString('en-US')}; at ${fallback.clients.toLocaleString('en-US')}: ${fmtRatio(ratio(fallback.kib, ceilingAt))})`
      : '';
  rows.push(
    targetOver(
      "RSS per idle connection ≤ 1.5× null cluster's",
      rss,
      rssRatio,
      `${fmtRatio(rssRatio)} (${fmt(rss[0]?.med.value, 1)} vs ${fmt(rss[1]?.med.value, 1)} KiB)${reached}`,
      (v) => v <= 1.5,
    ),
  );

  const steps = (ours?.ladder ?? []).map((point) => point.clients);
  for (const size of STORM_STEPS) {
    const previous = Math.max(0, ...steps.filter((clients) => clients < size));
    if (!steps.includes(size) && !(ceiling?.ladder ?? []).some((point) => point.clients === size)) continue;
    const key = String(size);
    const storm = [
      input('ours', ours, ours?.connectAt?.[key], 'ladder'),
      input('null cluster', ceiling, ceiling?.connectAt?.[key], 'ladder'),
    ];
    const stormRatio = ratioByRun(
      ours?.connectRuns?.[key] ?? [],
      ceiling?.connectRuns?.[key] ?? [],
      storm[0]?.med ?? NO_VALUE,
      storm[1]?.med ?? NO_VALUE,
    );
    rows.push(
      targetOver(
        `Connection storm: ${fmt(size - previous)} clients connect and catch up at once onto ${fmt(previous)} (the step to ${fmt(size)}) ≤ ${MAX_STORM_RATIO}× null cluster's time`,
        storm,
        stormRatio.value,
        `${fmtRatio(stormRatio.value)} (${fmt(storm[0]?.med.value)} vs ${fmt(storm[1]?.med.value)} ms; ${stormRatio.shown})`,
        (v) => v <= MAX_STORM_RATIO,
      ),
    );
  }

  const idle = ours?.idle;
  const idleInput = (med: Med | undefined) => input('ours', ours, med, 'idle');
  const total = idleInput(idle?.totalRss);
  rows.push(
    targetOver(
      `Idle RSS, primary + 2 workers + 10 clients ≤ ${IDLE_TOTAL_RSS_MB} MB`,
      [total],
      total.med.value === null ? null : total.med.value / MB,
      `${fmt((total.med.value ?? NaN) / MB, 1)} MB after ${fmt((idle?.idleMs.value ?? NaN) / 1000, 0)} s idle (PSS ${fmt((idle?.totalPss.value ?? NaN) / MB, 1)}, USS ${fmt((idle?.totalUss.value ?? NaN) / MB, 1)} MB); ${fmt((idle?.totalRssAtSettle.value ?? NaN) / MB, 1)} MB right after the clients synced`,
      (v) => v <= IDLE_TOTAL_RSS_MB,
    ),
  );
  const primary = idle?.processes[0];
  const primaryInput = idleInput(primary?.label === 'primary' ? primary.rss : undefined);
  rows.push(
    targetOver(
      `Idle RSS of the primary ≤ ${IDLE_PRIMARY_RSS_MB} MB`,
      [primaryInput],
      primaryInput.med.value === null ? null : primaryInput.med.value / MB,
      `${fmt((primaryInput.med.value ?? NaN) / MB, 1)} MB`,
      (v) => v <= IDLE_PRIMARY_RSS_MB,
    ),
  );
  const startup = idleInput(idle?.firstHealthyMs);
  rows.push(
    targetOver(
      `node start → first /healthz 200 ≤ ${STARTUP_MS / 1000} s`,
      [startup],
      startup.med.value,
      `${fmt(startup.med.value)} ms (${runsSpread(startup.med)})`,
      (v) => v <= STARTUP_MS,
    ),
  );

  const bundleOk = client?.bundle.status === 'ok';
  const js = client?.bundle.status === 'ok' ? client.bundle.jsGzipBytes / 1024 : null;
  rows.push({
    target: 'Initial JS ≤ 75 KB gzip',
    value: bundleOk ? `${fmt(js, 1)} KB` : (client?.bundle.status ?? 'not measured'),
    runs: '',
    pass: js === null ? (client?.bundle.status === 'failed' || client?.bundle.status === 'not built' ? false : null) : js <= 75,
  });
  // #17 asks 100 in each: the median of the runs, Lighthouse's default mobile throttling.
  for (const category of ['performance', 'accessibility', 'best-practices'] as const) {
    const lighthouse = client?.lighthouse;
    const score = lighthouse?.status === 'ok' ? lighthouse.scores[category] : null;
    const failed = lighthouse?.status === 'failed' || lighthouse?.status === 'not built';
    const floor = client?.floor?.lighthouse;
    const floorScore = floor?.status === 'ok' ? floor.scores[category] : null;
    rows.push({
      target: `Lighthouse mobile ${category} = 100 (#17)`,
      value:
        score === null
          ? (lighthouse?.status ?? 'not measured')
          : `${fmtScore(score)}${floorScore === null ? '' : ` (the null PWA on the same Chromium: ${fmtScore(floorScore)})`}`,
      runs: lighthouse?.status === 'ok' ? `${lighthouse.runs}` : '',
      pass: score === null ? (failed ? false : null) : score >= 100,
    });
  }
  const offline = client?.offline;
  const offlineMs = offline?.status === 'ok' ? offline.ms : null;
  const floorOffline = client?.floor?.offline;
  const floorMs = floorOffline?.status === 'ok' ? floorOffline.ms : null;
  rows.push({
    target: `Offline warm reload → enabled composer ≤ ${OFFLINE_RELOAD_MAX_MS} ms (#17)`,
    value:
      offlineMs === null
        ? (offline?.status ?? 'not measured')
        : `${fmt(offlineMs)} ms${floorMs === null ? '' : ` (the null PWA: ${fmt(floorMs)} ms, ${fmtRatio(offlineMs / floorMs)})`}`,
    runs: offline?.status === 'ok' ? `${offline.runs.length}` : '',
    pass:
      offlineMs === null
        ? offline?.status === 'failed' || offline?.status === 'not built'
          ? false
          : null
        : offlineMs <= OFFLINE_RELOAD_MAX_MS,
  });

  const integrity = ours?.integrity;
  const contributing = ['ingest', 'changes', 'fanout', 'ladder', 'catchup', 'catchupRestarted'] as const;
  // Stored runs without a plan count as planned when something was acked.
  const planned = ours ? contributing.some((scenario) => (ours.expected[scenario] ?? ours.integrity.acked) > 0) : false;
  const faults = integrity ? integrity.lost + integrity.duplicated + integrity.ackErrors + integrity.drainTimeouts : null;
  rows.push({
    target: 'Zero lost or duplicated messages, ack errors or drain timeouts (ours)',
    value: integrity
      ? `${integrity.lost} lost, ${integrity.duplicated} duplicated, ${integrity.ackErrors} ack errors, ${integrity.drainTimeouts} drain timeouts; ${integrity.acked.toLocaleString('en-US')} acked`
      : 'not measured',
    runs: '',
    pass: !planned || faults === null ? null : faults === 0,
  });
  return rows;
}

/**
 * #15's mixed and receipts targets: ratios to sends only, read from the shapes taking turns in one
 * run (each run's own ratio, the median of the runs'), or from runs of their own in older reports.
 */
function shapeTargets(ours: ServerSummary | undefined, input: InputOf): TargetRow[] {
  const shapes = ours?.shapes;
  const alternating = shapes?.method !== 'separate';
  const how = (ratioMed: Med) =>
    alternating ? `median of the runs' own ratios, ${runsSpread(ratioMed, 2)}` : 'separate runs, ratio of the medians';
  const target = (name: string, ratioMed: Med | undefined, rate: Med | undefined, unit: string, least: number) => {
    const measured = input('ours', ours, ratioMed, 'changes');
    const value = measured.med.value;
    const shown = `${fmtRatio(value)} (${fmt(rate?.value)} vs ${fmt(shapes?.sendOpsPerSec.value)} ${unit}; ${how(measured.med)})`;
    return targetOver(name, [measured], value, shown, (v) => v >= least);
  };
  return [
    target(
      'Mixed ingest (70% sends, 20% reactions, 10% edits) ≥ 0.9× send-only ops/s',
      shapes?.mixedRatio,
      shapes?.mixedOpsPerSec,
      'ops/s',
      0.9,
    ),
    target(
      'Ingest with delivered receipts ≥ 0.95× without (tick bookkeeping ≤ 5%)',
      shapes?.ticksRatio,
      shapes?.ticksAckedPerSec,
      'msg/s',
      0.95,
    ),
  ];
}
