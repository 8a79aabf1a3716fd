/**
 * Why a report cannot be trusted as it stands: runs that failed outright, runs
 * missing from a median, runs that finished only in part (a drain or an ack
 * that timed out, a growth series that stopped early, a catch-up that did not
 * complete), and servers that ran with other settings than the report states.
 * Any one of them fails the report.
 */
import type { ThroughputResult } from '../load/types';
import type { ServerKind } from '../servers';
import {
  expectedRuns,
  SCALE_OUT_SCENARIO_KINDS,
  shapesMeasuredApart,
  type InRun,
  type RawResults,
  type RawServerRuns,
  type ServerSetup,
} from './raw';

const LABELS = { idle: 'idle memory', ingest: 'ingest', fanout: 'fan-out', ladder: 'growth series' } as const;

/** What the report states each server ran with; /healthz must say the same. The tutorial's /healthz is the tutorial's "ok". */
export function statedSettings(kind: ServerKind, workers: number): Record<string, unknown> | null {
  if (kind === 'ours') return { store: 'sqlite', sqliteSync: 'FULL', workers, rateLimit: null };
  if (kind === 'null' || kind === 'null-cluster') return { store: 'none', workers };
  if (SCALE_OUT_SCENARIO_KINDS.includes(kind)) return { store: 'postgres', sqliteSync: null, workers, rateLimit: null };
  return null;
}

export function setupMismatch(kind: ServerKind, setup: ServerSetup): string | null {
  const stated = statedSettings(kind, setup.workers);
  if (!stated) return null;
  const said = setup.healthz;
  if (typeof said !== 'object' || said === null) return `${kind}: /healthz did not report its settings (it said ${JSON.stringify(said)})`;
  const wrong = Object.entries(stated).filter(
    ([key, value]) => JSON.stringify((said as Record<string, unknown>)[key]) !== JSON.stringify(value),
  );
  if (wrong.length === 0) return null;
  const show = (entries: Array<[string, unknown]>) => entries.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(', ');
  return `${kind} ran with ${show(wrong.map(([key]) => [key, (said as Record<string, unknown>)[key]]))}; the report states ${show(wrong)}`;
}

function throughputProblems(kind: ServerKind, label: string, runs: InRun<ThroughputResult>[]): string[] {
  const problems: string[] = [];
  for (const result of runs) {
    const tag = `${kind} ${label} run ${result.run ?? '?'}`;
    if (result.drainTimedOut) problems.push(`${tag}: the drain timed out with deliveries still missing`);
    if (result.integrity.ackErrors > 0)
      problems.push(`${tag}: ${result.integrity.ackErrors} sends got no positive ack (timed out or refused)`);
    if (SCALE_OUT_SCENARIO_KINDS.includes(kind) && result.integrity.lost + result.integrity.duplicated > 0)
      problems.push(`${tag}: lost ${result.integrity.lost} and duplicated ${result.integrity.duplicated} deliveries in scale-out mode`);
    else if (kind !== 'ours' && result.integrity.lost + result.integrity.duplicated > 0)
      problems.push(`${tag}: the baseline lost ${result.integrity.lost} and duplicated ${result.integrity.duplicated} deliveries`);
  }
  return problems;
}

function serverProblems(raw: RawResults, kind: ServerKind, runs: RawServerRuns): string[] {
  const problems: string[] = [];
  for (const scenario of ['idle', 'ingest', 'fanout', 'ladder'] as const) {
    const expected = expectedRuns(raw, kind, scenario);
    const completed = (runs[scenario] ?? []).length;
    if (expected !== null && completed < expected) problems.push(`${kind} ${LABELS[scenario]}: ${completed} of ${expected} runs completed`);
  }
  problems.push(...throughputProblems(kind, 'ingest', runs.ingest), ...throughputProblems(kind, 'fan-out', runs.fanout));
  const changes = expectedRuns(raw, kind, 'changes');
  const separate = shapesMeasuredApart(runs);
  const shaped: Array<[string, InRun<ThroughputResult>[]]> = separate
    ? [
        ['mixed ingest', runs.mixed ?? []],
        ['ingest with receipts', runs.ticks ?? []],
      ]
    : [['ingest shapes taking turns', runs.shapes ?? []]];
  for (const [label, done] of shaped) {
    if (changes !== null && done.length < changes) problems.push(`${kind} ${label}: ${done.length} of ${changes} runs completed`);
    problems.push(...throughputProblems(kind, label, [...done]));
  }
  for (const result of separate ? [] : (runs.shapes ?? [])) {
    const tag = `${kind} ingest shapes run ${result.run ?? '?'}`;
    // A phase that did not do its shape's work would make its ratio one of sends to sends.
    if (!result.shapes) problems.push(`${tag}: no per-shape rates`);
    else if (result.shapes.ticks.receipts === 0) problems.push(`${tag}: its receipts phases sent no room:delivered`);
    if ((result.changes?.acked ?? 0) === 0) problems.push(`${tag}: no edit or reaction was acked`);
    if ((result.changes?.errors ?? 0) > 0) problems.push(`${tag}: ${result.changes?.errors} edits or reactions got no positive ack`);
  }
  for (const result of runs.ladder) {
    const tag = `${kind} growth series run ${result.run ?? '?'}`;
    if (result.error) problems.push(`${tag} stopped early: ${result.error.split('\n')[0]}`);
    for (const step of result.steps) {
      if (step.drainTimedOut) problems.push(`${tag} at ${step.clients} clients: the drain timed out with deliveries still missing`);
      if (step.integrity.ackErrors > 0)
        problems.push(`${tag} at ${step.clients} clients: ${step.integrity.ackErrors} sends got no positive ack`);
    }
  }
  for (const result of runs.idle ?? []) {
    const processes = result.workers > 1 ? result.workers + 1 : 1;
    if (result.processes.length !== processes)
      problems.push(`${kind} idle memory run ${result.run ?? '?'}: ${result.processes.length} processes measured, ${processes} expected`);
  }
  const phases = [
    ['catchup', 'warm', runs.catchup],
    ['catchupRestarted', 'after restart', runs.catchupRestarted ?? {}],
  ] as const;
  for (const [scenario, phase, bySize] of phases) {
    const expected = expectedRuns(raw, kind, scenario);
    for (const size of raw.plan?.catchupSizes ?? []) {
      const completed = (bySize[String(size)] ?? []).filter((result) => result.ms !== null).length;
      if (expected !== null && completed < expected)
        problems.push(`${kind} catch-up of ${size} (${phase}): ${completed} of ${expected} runs completed`);
    }
    for (const [size, results] of Object.entries(bySize))
      for (const result of results)
        if (result.ms === null)
          problems.push(`${kind} catch-up of ${size} (${phase}) run ${result.run ?? '?'}: ${result.error ?? 'did not complete'}`);
  }
  return problems;
}

function clientProblems(raw: RawResults): string[] {
  if (!raw.plan?.scenarios.includes('client')) return [];
  const client = raw.client;
  if (!client) return ['client metrics: not measured'];
  const problems: string[] = [];
  const parts = [
    ['bundle size', client.bundle],
    ['Lighthouse', client.lighthouse],
    ['offline reload', client.offline],
  ] as const;
  for (const [name, part] of parts)
    if (part.status === 'failed' || part.status === 'not built')
      problems.push(`client ${name}: ${part.status}${part.detail ? `: ${part.detail.split('\n')[0]}` : ''}`);
  return problems;
}

export function runProblems(raw: RawResults): string[] {
  const problems = raw.errors.map((error) => error.split('\n')[0] ?? error);
  const kinds = new Set<ServerKind>([...(raw.plan?.kinds ?? []), ...(Object.keys(raw.servers) as ServerKind[])]);
  const empty: RawServerRuns = { ingest: [], fanout: [], ladder: [], catchup: {} };
  for (const kind of kinds) problems.push(...serverProblems(raw, kind, raw.servers[kind] ?? empty));
  for (const [kind, setups] of Object.entries(raw.setup ?? {}) as Array<[ServerKind, ServerSetup[]]>)
    for (const setup of setups) {
      const mismatch = setupMismatch(kind, setup);
      if (mismatch) problems.push(mismatch);
    }
  problems.push(...clientProblems(raw));
  return problems;
}
