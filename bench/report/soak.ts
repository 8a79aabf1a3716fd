/**
 * The soak's verdict (#17, "no drift"), pure functions of the per-minute results: how fast
 * the server's RSS grows after the warm-up (least-squares slope over every RSS read after
 * it), and how the ack p99 after the warm-up compares with the warm-up's (the median of
 * the per-minute p99s after it against the median of the warm-up minutes' p99s; a median,
 * so that one minute with a GC pause or a neighbour's burst on the shared machine does not
 * decide, while a drift that lasts half the run does). The worst minute is shown beside it.
 */
import type { SoakMinute, SoakResult } from '../load/types';
import type { ServerKind } from '../servers';
import { SOAK_KINDS, type RawResults } from './raw';
import { medianOf } from './stats';
import { fmt, fmtRatio, MB, type TargetRow } from './targets';

export const MAX_RSS_SLOPE_MB_PER_MIN = 1;
export const MAX_ACK_P99_RATIO = 1.2;

/** Least-squares slope of y over x; null with fewer than two distinct x. */
export function leastSquaresSlope(points: ReadonlyArray<{ x: number; y: number }>): number | null {
  const n = points.length;
  if (n < 2) return null;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const point of points) {
    sxy += (point.x - meanX) * (point.y - meanY);
    sxx += (point.x - meanX) ** 2;
  }
  return sxx === 0 ? null : sxy / sxx;
}

export type SoakDrift = {
  /** RSS growth after the warm-up, MB (10^6 bytes) per minute, over this many reads. */
  rssSlopeMBPerMin: number | null;
  rssPoints: number;
  /** Median of the warm-up minutes' ack p99s, and of the later minutes'. */
  warmupP99: number | null;
  laterP99: number | null;
  /** laterP99 / warmupP99: the target. */
  p99Ratio: number | null;
  /** The worst later minute's p99 / warmupP99: shown, not judged. */
  worstP99Ratio: number | null;
  /** The same ratio of the server's own ack p99s, where it was scraped: shown, not judged. */
  serverP99Ratio: number | null;
  laterMinutes: number;
};

export function soakDrift(result: Pick<SoakResult, 'minutes' | 'samples' | 'minuteMs'>, warmupMinutes: number): SoakDrift {
  const after = warmupMinutes * result.minuteMs;
  const points = result.samples.filter((sample) => sample.atMs >= after).map((sample) => ({ x: sample.atMs / 60_000, y: sample.rss / MB }));
  const warmup = result.minutes.filter((minute) => minute.minute <= warmupMinutes);
  const later = result.minutes.filter((minute) => minute.minute > warmupMinutes);
  const warmupP99 = medianOf(warmup.map((minute) => minute.ack.p99)).value;
  const laterP99 = medianOf(later.map((minute) => minute.ack.p99)).value;
  const worst = medianOf(later.map((minute) => minute.ack.p99)).max;
  const ratio = (value: number | null, base: number | null) => (value === null || base === null || base === 0 ? null : value / base);
  const over = (value: number | null) => ratio(value, warmupP99);
  const serverP99 = (minutes: SoakMinute[]) => medianOf(minutes.map((minute) => minute.serverAck?.p99 ?? null)).value;
  return {
    rssSlopeMBPerMin: leastSquaresSlope(points),
    rssPoints: points.length,
    warmupP99,
    laterP99,
    p99Ratio: over(laterP99),
    worstP99Ratio: over(worst),
    serverP99Ratio: ratio(serverP99(later), serverP99(warmup)),
    laterMinutes: later.length,
  };
}

/** The kinds the plan asked a soak of. */
export function plannedSoakKinds(raw: RawResults): ServerKind[] {
  if (!raw.plan?.scenarios.includes('soak')) return [];
  return SOAK_KINDS.filter((kind) => raw.plan?.kinds.includes(kind));
}

/** Why a soak's numbers cannot be trusted: it did not run, or ran only in part. */
export function soakProblems(raw: RawResults): string[] {
  const problems: string[] = [];
  for (const kind of plannedSoakKinds(raw)) {
    const result = raw.soak?.results[kind];
    if (!result) {
      problems.push(`${kind} soak: not completed`);
      continue;
    }
    if (result.error) problems.push(`${kind} soak: ${result.error}`);
    if (result.ackErrors > 0) problems.push(`${kind} soak: ${result.ackErrors} sends got no positive ack`);
    if (result.skipped > 0)
      problems.push(`${kind} soak: ${result.skipped} sends skipped, the backlog of unacked sends full (the server fell behind the rate)`);
    if (result.reconnectFailures > 0 || result.drops > 0)
      problems.push(
        `${kind} soak: ${result.reconnectFailures} reconnects failed, ${result.drops} connections dropped without the client closing them (${result.examples.join('; ')})`,
      );
  }
  return problems;
}

const TITLE: Partial<Record<ServerKind, string>> = { ours: 'ours', 'null-cluster': 'null cluster', null: 'null' };

export function soakTargets(raw: RawResults): TargetRow[] {
  const kinds = plannedSoakKinds(raw);
  if (!kinds.includes('ours')) return [];
  const warmupMinutes = raw.soak?.warmupMinutes ?? (raw.mode === 'quick' ? 1 : 5);
  const ours = raw.soak?.results.ours;
  const others = kinds.filter((kind) => kind !== 'ours');
  const drift = ours ? soakDrift(ours, warmupMinutes) : null;
  const beside = (show: (drift: SoakDrift) => string) =>
    others
      .map((kind) => {
        const result = raw.soak?.results[kind];
        return `; ${TITLE[kind] ?? kind}: ${result ? show(soakDrift(result, warmupMinutes)) : 'not measured'}`;
      })
      .join('');
  const after = `after the first ${warmupMinutes} minute${warmupMinutes === 1 ? '' : 's'}`;
  const runs = ours ? `1 run, ${ours.minutes.length} minutes at ${fmt(ours.rate)} msg/s` : '';
  const slope = (value: number | null) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${fmt(value, 2)} MB/min`);
  const ratio = (d: SoakDrift) =>
    `${fmtRatio(d.p99Ratio)} (${fmt(d.laterP99, 1)} vs ${fmt(d.warmupP99, 1)} ms, worst minute ${fmtRatio(d.worstP99Ratio)})`;
  if (!ours || !drift)
    return [
      {
        target: `Soak: RSS grows < ${MAX_RSS_SLOPE_MB_PER_MIN} MB per minute ${after}`,
        value: 'failed (see the errors)',
        runs: '',
        pass: false,
      },
    ];
  const delivery = ours.delivery;
  return [
    {
      target: `Soak: RSS (all processes) grows < ${MAX_RSS_SLOPE_MB_PER_MIN} MB per minute ${after} (least-squares slope over every read after it)`,
      value: `${slope(drift.rssSlopeMBPerMin)} over ${drift.rssPoints} reads${beside((d) => slope(d.rssSlopeMBPerMin))}`,
      runs,
      pass: drift.rssSlopeMBPerMin === null ? false : drift.rssSlopeMBPerMin < MAX_RSS_SLOPE_MB_PER_MIN,
    },
    {
      target: `Soak: ack p99 ${after} ≤ ${MAX_ACK_P99_RATIO}× the warm-up's (median of the later minutes' p99s / median of the warm-up minutes')`,
      value: `${ratio(drift)}${beside(ratio)}`,
      runs,
      pass: drift.p99Ratio === null ? false : drift.p99Ratio <= MAX_ACK_P99_RATIO,
    },
    {
      target: 'Soak: every reconnecting client caught up with its cursor, nothing lost, every send acked (ours)',
      value: delivery
        ? `${fmt(delivery.missing)} missing of ${fmt(delivery.lastSeq)} seqs × ${fmt(delivery.clients)} clients; ${fmt(ours.reconnects)} reconnects, ${ours.reconnectFailures} failed, ${ours.drops} dropped; ${ours.ackErrors} ack errors, ${ours.skipped} skipped; ${fmt(delivery.duplicates)} delivered twice (catch-up overlapping live, allowed: clients deduplicate by seq)`
        : 'not checked',
      runs: '1 run',
      pass:
        delivery !== null &&
        delivery.missing === 0 &&
        ours.reconnectFailures === 0 &&
        ours.drops === 0 &&
        ours.ackErrors === 0 &&
        ours.skipped === 0,
    },
  ];
}
