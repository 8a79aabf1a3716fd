/** The bounded-history and search targets of #14, from the one history measurement of a run. */
import { p95 } from '../history';
import type { RawResults } from './raw';
import { medianOf } from './stats';
import { fmt, type TargetRow } from './targets';

const MAX_FIRST_SYNC_MS = 1_000;
const MAX_FIRST_SYNC_STORED = 500;
const MAX_SEARCH_P95_MS = 50;
const MAX_POSTGRES_SEARCH_P95_MS = 100;
const MAX_BEFORE_P95_MS = 10;
const MAX_DEVICE_SEARCH_P95_MS = 50;

export function historyTargets(raw: RawResults): TargetRow[] {
  if (!raw.plan?.scenarios.includes('history')) return [];
  const history = raw.history;
  const size = history ? history.messages.toLocaleString('en-US') : '?';
  const row = (target: string, value: number | null, shown: string, ok: (value: number) => boolean): TargetRow => ({
    target,
    value: history ? shown : 'failed (see the errors)',
    runs: history ? `${history.firstSyncMs.length} devices, ${history.searchMs.length} queries` : '',
    pass: value === null ? false : ok(value),
  });
  const median = medianOf(history?.firstSyncMs ?? []).value;
  const stored = history ? Math.max(...history.firstSyncStored) : null;
  const search = p95(history?.searchMs ?? null);
  const postgres = p95(history?.postgresSearchMs ?? null);
  const before = p95(history?.beforeMs ?? null);
  const device = p95(history?.deviceSearch?.ms ?? null);
  const deviceStored = history?.deviceSearch?.stored.toLocaleString('en-US') ?? '50,000';
  return [
    row(
      `New device, ${size} messages in general: sync:done ≤ 1 s (median) storing ≤ ${MAX_FIRST_SYNC_STORED}`,
      median === null || stored === null ? null : Math.max(median / MAX_FIRST_SYNC_MS, stored / MAX_FIRST_SYNC_STORED),
      `${fmt(median)} ms, ${fmt(stored)} messages`,
      (v) => v <= 1,
    ),
    row(
      `Search p95 over ${size} messages, SQLite (HTTP) ≤ ${MAX_SEARCH_P95_MS} ms`,
      search,
      `${fmt(search, 1)} ms`,
      (v) => v <= MAX_SEARCH_P95_MS,
    ),
    row(
      `Search p95 over ${size} messages, PostgreSQL (store) ≤ ${MAX_POSTGRES_SEARCH_P95_MS} ms`,
      postgres,
      postgres === null ? `not measured: ${history?.postgresProblem ?? 'failed'}` : `${fmt(postgres, 1)} ms`,
      (v) => v <= MAX_POSTGRES_SEARCH_P95_MS,
    ),
    row(
      `?before= page of 50 at random depths p95 ≤ ${MAX_BEFORE_P95_MS} ms`,
      before,
      `${fmt(before, 1)} ms`,
      (v) => v <= MAX_BEFORE_P95_MS,
    ),
    {
      ...row(
        `Offline search over ${deviceStored} messages stored on the device, Chromium, p95 ≤ ${MAX_DEVICE_SEARCH_P95_MS} ms`,
        device,
        device === null
          ? `not measured: ${history?.deviceSearchProblem ?? 'failed'}`
          : `${fmt(device, 1)} ms (first query ${fmt(history?.deviceSearch?.firstMs ?? null)} ms)`,
        (v) => v <= MAX_DEVICE_SEARCH_P95_MS,
      ),
      runs: history?.deviceSearch ? `${history.deviceSearch.ms.length} queries` : '',
    },
  ];
}
