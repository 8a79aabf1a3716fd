/**
 * The report as Markdown (bench/results/latest.md): verdict, problems, targets,
 * what each server ran with and on which disk, then the tables. Every median is
 * shown with the runs it came from, and with the runs' spread when there were several.
 */
import type { LighthouseMetrics, OfflineMetrics } from '../client-metrics';
import { quietWaitText } from '../quiet-machine';
import type { DiskProbe } from '../disk';
import type { ServerKind } from '../servers';
import { TITLES } from './titles';
import { statedSettings } from './problems';
import type { RawResults, ServerSetup } from './raw';
import { ratio, type Med } from './stats';
import type { Summary } from './summarize';
import type { ServerSummary, ThroughputSummary } from './summary';
import { scaleOutSection } from './scale-out';
import { soakSection } from './soak-section';
import { fmt, fmtRatio, fmtScore, MB } from './targets';
import { wireSection } from './wire';

const ALL_KINDS: ServerKind[] = ['ours', 'tutorial', 'null', 'null-cluster', 'ours-pg', 'ours-pg-2'];
const KINDS = ALL_KINDS;
/** Columns shown only when the run planned or measured them (the scale-out kinds run the ingest alone). */
const OPTIONAL_KINDS: ServerKind[] = ['ours-pg', 'ours-pg-2'];

/** "1,234 (1,100–1,300)" for several runs, the value alone for one, "—" for none. */
export function fmtMed(med: Med | undefined, digits = 0, scale = 1): string {
  if (!med || med.n === 0 || med.value === null) return '—';
  const value = fmt(med.value / scale, digits);
  return med.n > 1 ? `${value} (${fmt((med.min ?? NaN) / scale, digits)}–${fmt((med.max ?? NaN) / scale, digits)})` : value;
}

const runsOf = (completed: number, expected: number | null) => (expected === null ? `${completed}` : `${completed} of ${expected}`);

function serverTable(summary: Summary): string[] {
  const { servers } = summary;
  const KINDS = ALL_KINDS.filter((kind) => !OPTIONAL_KINDS.includes(kind) || servers[kind] !== undefined);
  const out = [
    `| scenario | metric | ${KINDS.map((kind) => TITLES[kind]).join(' | ')} | ours/tutorial | ours/null cluster |`,
    `| --- | --- | ${KINDS.map(() => '---').join(' | ')} | --- | --- |`,
  ];
  const row = (scenario: string, metric: string, cells: string[], vsTutorial = '', vsCeiling = '') =>
    out.push(`| ${scenario} | ${metric} | ${cells.join(' | ')} | ${vsTutorial} | ${vsCeiling} |`);
  const measured = (runs: (server: ServerSummary) => number, expected: keyof ServerSummary['expected']) =>
    KINDS.some((kind) => {
      const server = servers[kind];
      return server !== undefined && (runs(server) > 0 || (server.expected[expected] ?? 0) > 0);
    });
  const throughput = (title: string, pick: (server: ServerSummary) => ThroughputSummary, expected: 'ingest' | 'fanout') => {
    if (!measured((server) => pick(server).runs, expected)) return;
    row(
      title,
      'runs',
      KINDS.map((kind) => {
        const server = servers[kind];
        return server ? runsOf(pick(server).runs, server.expected[expected]) : '—';
      }),
    );
    const metrics: Array<[string, keyof Omit<ThroughputSummary, 'runs'>, number]> = [
      ['acked msg/s', 'ackedPerSec', 0],
      ['ack p50 (ms)', 'ackP50', 1],
      ['ack p99 (ms)', 'ackP99', 1],
      ['deliveries/s', 'deliveriesPerSec', 0],
      ['delivery p50 (ms)', 'deliveryP50', 1],
      ['delivery p99 (ms)', 'deliveryP99', 1],
    ];
    for (const [metric, key, digits] of metrics) {
      const med = (kind: ServerKind) => {
        const server = servers[kind];
        return server ? pick(server)[key] : undefined;
      };
      row(
        title,
        metric,
        KINDS.map((kind) => fmtMed(med(kind), digits)),
        fmtRatio(ratio(med('ours')?.value, med('tutorial')?.value)),
        fmtRatio(ratio(med('ours')?.value, med('null-cluster')?.value)),
      );
    }
  };
  throughput('ingest', (server) => server.ingest, 'ingest');
  throughput('fan-out', (server) => server.fanout, 'fanout');
  const phases = [
    ['catch-up, warm', 'catchupMs', 'catchup'],
    ['catch-up after restart', 'catchupRestartedMs', 'catchupRestarted'],
  ] as const;
  for (const [title, key, expected] of phases) {
    const sizes = [...new Set(KINDS.flatMap((kind) => Object.keys(servers[kind]?.[key] ?? {})))].sort((a, b) => Number(a) - Number(b));
    for (const size of sizes) {
      const med = (kind: ServerKind) => servers[kind]?.[key][size];
      const tutorial = servers.tutorial?.catchupRestartedMs[size];
      const speedup = ratio(tutorial?.value, med('ours')?.value);
      row(
        `${title}, ${Number(size).toLocaleString('en-US')} missed`,
        'time (ms), runs',
        KINDS.map((kind) => {
          const server = servers[kind];
          const expectedRuns = server?.expected[expected] ?? null;
          if (!server || expectedRuns === 0) return '—';
          return `${fmtMed(med(kind))} · ${runsOf(med(kind)?.n ?? 0, expectedRuns)}`;
        }),
        speedup === null ? '—' : `${speedup.toFixed(1)}× faster`,
        '—',
      );
    }
  }
  if (measured((server) => server.ladderRuns, 'ladder'))
    row(
      `idle connections, ${summary.rssStep.toLocaleString('en-US')}`,
      'RSS per connection (KiB)',
      KINDS.map((kind) => fmtMed(servers[kind]?.rssPerIdleConnKiB, 1)),
      fmtRatio(ratio(servers.ours?.rssPerIdleConnKiB.value, servers.tutorial?.rssPerIdleConnKiB.value)),
      fmtRatio(ratio(servers.ours?.rssPerIdleConnKiB.value, servers['null-cluster']?.rssPerIdleConnKiB.value)),
    );
  for (const kind of KINDS) {
    const integrity = servers[kind]?.integrity;
    if (integrity && integrity.acked > 0)
      out.push(
        `| integrity | ${TITLES[kind]}: lost / duplicated / ack errors / drain timeouts | ${integrity.lost} / ${integrity.duplicated} / ${integrity.ackErrors} / ${integrity.drainTimeouts} of ${integrity.acked.toLocaleString('en-US')} acked | | | | | |`,
      );
  }
  return out;
}

function idleTable(summary: Summary): string[] {
  const out = [
    '| server | processes | RSS per process (MB) | total RSS (MB) | total PSS (MB) | total USS (MB) | node start → first /healthz 200 (ms) | → all workers healthy (ms) | runs |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const kind of KINDS) {
    const server = summary.servers[kind];
    const idle = server?.idle;
    if (!server || !idle) continue;
    out.push(
      `| ${TITLES[kind]} | ${idle.processes.map((process) => process.label).join(' + ')} | ${idle.processes.map((process) => fmtMed(process.rss, 1, MB)).join(' / ')} | ${fmtMed(idle.totalRss, 1, MB)} | ${fmtMed(idle.totalPss, 1, MB)} | ${fmtMed(idle.totalUss, 1, MB)} | ${fmtMed(idle.firstHealthyMs)} | ${fmtMed(idle.allHealthyMs)} | ${runsOf(idle.runs, server.expected.idle)} |`,
    );
  }
  return out;
}

function describeHealthz(kind: ServerKind, setup: ServerSetup): string {
  if (!statedSettings(kind, setup.workers)) return `"${String(setup.healthz)}" (the tutorial's own probe: nothing to read back)`;
  if (typeof setup.healthz !== 'object' || setup.healthz === null) return JSON.stringify(setup.healthz);
  return Object.entries(setup.healthz)
    .filter(([key]) => key !== 'ok')
    .map(([key, value]) => `${key} ${JSON.stringify(value)}`)
    .join(', ');
}

function setupTable(raw: RawResults): string[] {
  const setups = raw.setup ?? {};
  if (Object.keys(setups).length === 0) return ['Not recorded.'];
  const out = ['| server | command | workers | read back from its /healthz | starts |', '| --- | --- | --- | --- | --- |'];
  for (const kind of KINDS)
    for (const setup of setups[kind] ?? [])
      out.push(`| ${TITLES[kind]} | \`node ${setup.command}\` | ${setup.workers} | ${describeHealthz(kind, setup)} | ${setup.starts} |`);
  const example = Object.values(setups).flat()[0];
  if (example) {
    const shown = Object.entries(example.env)
      .map(([key, value]) => (['PATH', 'HOME', 'PORT', 'CHAT_DB', 'CHAT_STATIC_DIR', 'WORKERS'].includes(key) ? key : `${key}=${value}`))
      .join(' ');
    out.push(
      '',
      `Each server's whole environment (nothing inherited from the shell): \`${shown}\` (PORT a free port, CHAT_DB a fresh file in a temp dir, WORKERS as above); no NODE_ENV, as \`npm start\` sets none.`,
    );
  }
  return out;
}

const ms = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} ms`);

function diskLine(disk: RawResults['disk']): string {
  if (!disk) return 'Disk: not recorded.';
  const probe = (p: DiskProbe) => `p50 ${ms(p.fsync.p50Ms)}, p99 ${ms(p.fsync.p99Ms)}, max ${ms(p.fsync.maxMs)}`;
  const { mount } = disk.before;
  const where = mount
    ? `**${mount.fsType}** (\`${mount.device}\` mounted at \`${mount.mountPoint}\`, ${mount.options})`
    : 'an unknown filesystem';
  const p50 = disk.before.fsync.p50Ms;
  return (
    `Disk: the databases live in \`${disk.before.dir.replace(/[^/]*$/, '')}\` on ${where}. ` +
    `Write + fsync of ${disk.before.fsync.bytes / 1024} KiB, ${disk.before.fsync.writes} times: ${probe(disk.before)} before the run` +
    (disk.after ? `; ${probe(disk.after)} after it` : '') +
    (p50
      ? `. One fsync per commit caps a single writer near ${fmt(1000 / p50)} commits/s on this disk; the null servers never fsync.`
      : '.')
  );
}

export function toMarkdown(raw: RawResults, summary: Summary, settingsLine: string): string {
  const out: string[] = [];
  out.push(`# Benchmark results (${raw.mode}, ${raw.runs} run${raw.runs === 1 ? '' : 's'} per scenario, medians)`, '');
  const counts = { pass: 0, fail: 0, na: 0 };
  for (const row of summary.targets) counts[row.pass === null ? 'na' : row.pass ? 'pass' : 'fail'] += 1;
  out.push(
    summary.problems.length > 0
      ? `**Verdict: FAIL.** The run is incomplete: ${summary.problems.length} problem${summary.problems.length === 1 ? '' : 's'} below. ${counts.pass} of ${summary.targets.length} targets pass, ${counts.fail} fail, ${counts.na} not measured.`
      : `**Verdict: every planned run completed.** ${counts.pass} of ${summary.targets.length} targets pass, ${counts.fail} fail, ${counts.na} not measured.`,
    '',
  );
  out.push(
    `${raw.startedAt} · ${raw.machine.cores} cores · ${raw.machine.memoryGiB} GiB · Node ${raw.machine.node} · load generator on the same machine. MB = 10^6 bytes, MiB = 2^20, KiB = 2^10.`,
    '',
    settingsLine,
    '',
  );
  if (summary.problems.length > 0) {
    out.push('## Problems', '');
    for (const problem of summary.problems) out.push(`- ${problem}`);
    out.push('');
  }
  out.push('## Targets', '', '| target | value | runs | result |', '| --- | --- | --- | --- |');
  for (const row of summary.targets)
    out.push(`| ${row.target} | ${row.value} | ${row.runs} | ${row.pass === null ? 'n/a' : row.pass ? 'PASS' : 'FAIL'} |`);
  out.push('', '## What each server ran with', '', ...setupTable(raw), '', diskLine(raw.disk), '');
  out.push('## Server (median, and the runs’ min–max when there were several)', '', ...serverTable(summary), '');
  out.push(...scaleOutSection(raw));
  out.push(
    '## Idle memory (10 clients connected and synced)',
    '',
    'RSS counts the pages processes share (the node binary, ~44 MiB) once per process. PSS splits each shared page among every process on the machine that maps it, so it drops when other node processes run (the load generator, the bench, other work on the machine). USS counts private pages only: what stopping the server would free. The targets are on RSS.',
    '',
    ...idleTable(summary),
    '',
  );
  out.push('## Growth series (mostly idle clients, one sender probing)', '', '![latency and memory against clients](growth.svg)', '');
  out.push(
    '| server | clients | server RSS (MiB) | ack p50 / p99 (ms) | delivery p50 / p99 (ms) | connect all (ms) | runs |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const kind of KINDS) {
    const server = summary.servers[kind];
    for (const point of server?.ladder ?? [])
      out.push(
        `| ${TITLES[kind]} | ${point.clients.toLocaleString('en-US')} | ${fmt(point.rssMiB, 1)} | ${fmt(point.ackP50, 1)} / ${fmt(point.ackP99, 1)} | ${fmt(point.deliveryP50, 1)} / ${fmt(point.deliveryP99, 1)} | ${fmt(point.connectMs, 0)} | ${runsOf(point.runs, server?.expected.ladder ?? null)} |`,
      );
  }
  out.push('', ...wireSection(raw, summary.catchupSize), ...soakSection(raw));
  out.push('## Client (PWA)', '');
  const client = raw.client;
  if (!client) out.push('Not measured.');
  else {
    out.push('| metric | value |', '| --- | --- |');
    if (client.bundle.status === 'ok') {
      out.push(`| initial JS (gzip) | ${(client.bundle.jsGzipBytes / 1024).toFixed(1)} KB (${client.bundle.scripts.join(', ')}) |`);
      out.push(
        `| initial CSS (gzip) | ${(client.bundle.cssGzipBytes / 1024).toFixed(1)} KB (${client.bundle.styles.join(', ') || 'none'}) |`,
      );
    } else out.push(`| initial JS / CSS | ${client.bundle.status}${client.bundle.detail ? `: ${client.bundle.detail}` : ''} |`);
    if (client.chromium) out.push(`| browser | ${client.chromium} |`);
    out.push(...pageRows('', client.lighthouse, client.offline));
    if (client.floor) out.push(...pageRows(', null PWA', client.floor.lighthouse, client.floor.offline));
  }
  out.push('');
  return out.join('\n');
}

/** Lighthouse and the offline reload of one page: ours, or the null PWA beside it. */
function pageRows(of: string, lighthouse: LighthouseMetrics, offline: OfflineMetrics): string[] {
  const rows: string[] = [];
  if (lighthouse.status === 'ok') {
    const spread = (label: string, values: Array<number | null> | undefined) =>
      values && values.length > 1 ? ` (${label} ${values.map((value) => fmt(value, 0)).join(', ')})` : '';
    for (const [category, score] of Object.entries(lighthouse.scores))
      rows.push(
        `| Lighthouse mobile ${category}${of} (median of ${lighthouse.runs}) | ${fmtScore(score)}${category === 'performance' ? spread('runs', lighthouse.performanceRuns) : ''} |`,
      );
    const t = lighthouse.timings;
    if (t)
      rows.push(
        `| Lighthouse's performance inputs${of}: FCP / LCP / TBT / Speed Index (ms), CLS | ${[t.fcp, t.lcp, t.tbt, t.si].map((ms) => fmt(ms, 0)).join(' / ')}, ${fmt(t.cls, 3)}${spread('TBT of each run', lighthouse.tbtRuns)} |`,
      );
  } else rows.push(`| Lighthouse${of} | ${lighthouse.status}${lighthouse.detail ? `: ${lighthouse.detail}` : ''} |`);
  const machine = offline.status === 'ok' && offline.machine ? `; before them: ${quietWaitText(offline.machine)}` : '';
  rows.push(
    `| offline warm reload → "Message" textbox enabled${of} | ${offline.status === 'ok' ? `${fmt(offline.ms, 0)} ms (median of ${offline.runs.length}: ${offline.runs.join(', ')}${machine})` : `${offline.status}${offline.detail ? `: ${offline.detail}` : ''}`} |`,
  );
  return rows;
}
