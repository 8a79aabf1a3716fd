/**
 * The growth-series chart as hand-written SVG (no chart dependency): delivery
 * latency (p50 solid, p99 dashed) and server RSS against connected clients,
 * one colour per server, log-scaled client axis.
 */
import type { Summary } from './report/summarize';
import type { LadderPoint } from './report/summary';
import type { ServerKind } from './servers';

const COLORS: Record<ServerKind, string> = {
  ours: '#1565c0',
  tutorial: '#c62828',
  null: '#2e7d32',
  'null-cluster': '#ef6c00',
  'ours-pg': '#6a1b9a',
  'ours-pg-2': '#00838f',
};
const WIDTH = 1000;
const HEIGHT = 450;
export const PANEL = { width: 370, height: 290, top: 92, left: [80, 580] as const };

export type Series = { kind: ServerKind; dashed: boolean; label: string; points: Array<{ x: number; y: number }> };

/** The x axis of a panel: log-scaled clients (the growth series) or linear minutes (the soak). */
export type XAxis = { log: boolean; label: string; unit: string };
const CLIENTS_AXIS: XAxis = { log: true, label: 'connected clients (log scale)', unit: 'clients' };

export const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export function panel(left: number, title: string, yLabel: string, series: Series[], xs: number[], axis: XAxis = CLIENTS_AXIS): string {
  const out: string[] = [];
  const { width, height, top } = PANEL;
  const scale = axis.log ? (x: number) => Math.log10(Math.max(1, x)) : (x: number) => x;
  const xMin = scale(Math.min(...xs));
  const xMax = axis.log ? scale(Math.max(...xs, 10)) : scale(Math.max(...xs));
  const yMax = niceMax(Math.max(0, ...series.flatMap((s) => s.points.map((p) => p.y))) * 1.05);
  const sx = (x: number) => left + (xMax === xMin ? width / 2 : ((scale(x) - xMin) / (xMax - xMin)) * width);
  const sy = (y: number) => top + height - (y / yMax) * height;
  out.push(
    `<text x="${left + width / 2}" y="${top - 16}" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(title)}</text>`,
  );
  out.push(`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`);
  for (let i = 0; i <= 5; i++) {
    const y = (yMax / 5) * i;
    out.push(`<line x1="${left}" x2="${left + width}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="11">${Number(y.toPrecision(3))}</text>`);
  }
  for (const x of xs) {
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${top}" y2="${top + height}" stroke="#eeeeee"/>`);
    out.push(`<text x="${sx(x)}" y="${top + height + 16}" text-anchor="middle" font-size="11">${x.toLocaleString('en-US')}</text>`);
  }
  out.push(`<text x="${left + width / 2}" y="${top + height + 36}" text-anchor="middle" font-size="12">${escapeXml(axis.label)}</text>`);
  out.push(
    `<text transform="translate(${left - 50},${top + height / 2}) rotate(-90)" text-anchor="middle" font-size="12">${escapeXml(yLabel)}</text>`,
  );
  for (const s of series) {
    if (s.points.length === 0) continue;
    const path = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${COLORS[s.kind]}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="7 5"' : ''}/>`);
    for (const p of s.points)
      out.push(
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${COLORS[s.kind]}"><title>${escapeXml(`${s.label}: ${p.y.toFixed(1)} at ${p.x} ${axis.unit}`)}</title></circle>`,
      );
  }
  return out.join('\n');
}

function pointsOf(ladder: LadderPoint[], pick: (point: LadderPoint) => number | null): Array<{ x: number; y: number }> {
  return ladder.flatMap((point) => {
    const y = pick(point);
    return y === null ? [] : [{ x: point.clients, y }];
  });
}

export function growthSvg(summary: Summary, subtitle: string): string {
  const kinds = (['ours', 'tutorial', 'null', 'null-cluster'] as const).filter((kind) => (summary.servers[kind]?.ladder.length ?? 0) > 0);
  const xs = [...new Set(kinds.flatMap((kind) => summary.servers[kind]?.ladder.map((p) => p.clients) ?? []))].sort((a, b) => a - b);
  const latency: Series[] = kinds.flatMap((kind) => {
    const ladder = summary.servers[kind]?.ladder ?? [];
    return [
      { kind, dashed: false, label: `${kind} delivery p50 (ms)`, points: pointsOf(ladder, (p) => p.deliveryP50) },
      { kind, dashed: true, label: `${kind} delivery p99 (ms)`, points: pointsOf(ladder, (p) => p.deliveryP99) },
    ];
  });
  const memory: Series[] = kinds.map((kind) => ({
    kind,
    dashed: false,
    label: `${kind} server RSS (MiB)`,
    points: pointsOf(summary.servers[kind]?.ladder ?? [], (p) => p.rssMiB),
  }));
  const body =
    xs.length === 0
      ? `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" font-size="14">no growth series measured</text>`
      : `${panel(PANEL.left[0], 'Delivery latency (p50 solid, p99 dashed)', 'milliseconds', latency, xs)}\n${panel(PANEL.left[1], 'Server memory (sum of RSS, all processes)', 'MiB', memory, xs)}`;
  return chartDocument('Growth series: mostly idle clients, one sender probing', subtitle, body, kinds);
}

/** Two panels' worth of body in the page every chart shares: title, subtitle, a legend of the servers shown. */
export function chartDocument(title: string, subtitle: string, body: string, kinds: readonly ServerKind[]): string {
  const legend = kinds
    .map(
      (kind, i) =>
        `<g transform="translate(${80 + i * 150},${HEIGHT - 14})"><line x1="0" x2="24" y1="-4" y2="-4" stroke="${COLORS[kind]}" stroke-width="3"/><text x="30" y="0" font-size="12">${kind}</text></g>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="17" font-weight="700">${escapeXml(title)}</text>
<text x="${WIDTH / 2}" y="42" text-anchor="middle" font-size="12" fill="#555">${escapeXml(subtitle)}</text>
${body}
${legend}
</svg>
`;
}
