/** The soak's chart (soak.svg): RSS and ack p99 per minute, one colour per server; the x label says how many minutes are warm-up. */
import { chartDocument, PANEL, panel, type Series } from './chart';
import type { SoakRuns } from './report/raw';
import { MB } from './report/targets';
import type { ServerKind } from './servers';

export function soakSvg(soak: SoakRuns, subtitle: string): string {
  const kinds = (Object.keys(soak.results) as ServerKind[]).filter((kind) => (soak.results[kind]?.minutes.length ?? 0) > 0);
  const minutes = Math.max(1, ...kinds.map((kind) => soak.results[kind]?.minutes.length ?? 0));
  const xs = Array.from({ length: minutes }, (_unused, index) => index + 1);
  const series = (pick: (minute: { rss: number | null; ack: { p99: number | null } }) => number | null, unit: string): Series[] =>
    kinds.map((kind) => ({
      kind,
      dashed: false,
      label: `${kind} ${unit}`,
      points: (soak.results[kind]?.minutes ?? []).flatMap((minute) => {
        const y = pick(minute);
        return y === null ? [] : [{ x: minute.minute, y }];
      }),
    }));
  const axis = { log: false, label: `minute (the first ${soak.warmupMinutes} warm-up)`, unit: 'minutes' };
  const body =
    kinds.length === 0
      ? '<text x="500" y="225" text-anchor="middle" font-size="14">no soak measured</text>'
      : `${panel(
          PANEL.left[0],
          'Server memory (sum of RSS, all processes)',
          'MB',
          series((minute) => (minute.rss === null ? null : minute.rss / MB), 'RSS (MB)'),
          xs,
          axis,
        )}\n` +
        panel(
          PANEL.left[1],
          'Ack p99 of the messages sent in the minute',
          'milliseconds',
          series((minute) => minute.ack.p99, 'ack p99 (ms)'),
          xs,
          axis,
        );
  const rates = kinds.map((kind) => `${kind} ${soak.results[kind]?.rate ?? '?'} msg/s`).join(', ');
  return chartDocument('Soak: no drift over time', `${subtitle} · ${rates}`, body, kinds);
}
