/**
 * Bounded history and search at scale (#14): a database holding `messages` in
 * general, written directly (seeding a million messages over the wire would take
 * longer than everything else), then, against `npm start` on it: a new device's
 * first sync (time to `sync:done`, messages stored), search over HTTP, and
 * `?before=` pages at random depths; and the PostgreSQL store's search over the
 * same number of messages, in-process (no HTTP: the store is what differs).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import type { Message, SessionCreated } from '../shared/protocol';
import { openPostgresStore } from '../server/store/postgres';
import { openSqliteStore } from '../server/store/sqlite';
import { createPageSealer } from '../server/store/sqlite-sealed-pages';
import { dropSchema, freshSchemaName, postgresProblem, TEST_DATABASE_URL } from '../test/support/services';
import { measureDeviceSearch, type DeviceSearchResult } from './device-search';
import { connectUntilSynced } from './load/until-synced';
import { withServer, type MeasureContext } from './measure';
import { benchTempDir } from './servers';

export type HistoryResult = {
  messages: number;
  seedMs: number;
  /** New device: connect → `sync:done`, ms per device, and how many messages it was sent. */
  firstSyncMs: number[];
  firstSyncStored: number[];
  searchMs: number[];
  beforeMs: number[];
  /** PostgreSQL store.search over the same count; null with the reason when PostgreSQL is not there. */
  postgresSearchMs: number[] | null;
  postgresProblem?: string;
  /** The built PWA in Chromium holding 50,000 messages, offline: each query's time to its answer on screen; null with the reason when it could not run. */
  deviceSearch?: DeviceSearchResult | null;
  deviceSearchProblem?: string;
};

const WORDS_PER_MESSAGE = 8;
const VOCABULARY = 5_000;
const SAMPLES = 100;

/** A deterministic pseudo-random sequence, so every run seeds and asks the same. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Pronounceable made-up words: realistic token lengths, and each one's frequency known (uniform). */
const syllables = ['ka', 'lo', 'mi', 'ra', 'ten', 'su', 'vo', 'ne', 'pra', 'dil', 'gu', 'shi', 'ma', 'ber', 'zo', 'te'];
const word = (n: number) => {
  let text = '';
  for (let rest = n + VOCABULARY; rest > 0; rest = Math.floor(rest / syllables.length)) text += syllables[rest % syllables.length];
  return text;
};

function sentence(random: () => number): string {
  return Array.from({ length: WORDS_PER_MESSAGE }, () => word(Math.floor(random() * VOCABULARY))).join(' ');
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
};
export const p95 = (values: number[] | null) => (values && values.length > 0 ? quantile(values, 0.95) : null);

async function seedSqlite(path: string, messages: number): Promise<void> {
  // The store creates the schema (every migration), then the rows go in directly.
  await openSqliteStore(path, { synchronous: 'NORMAL' }).close();
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const random = rng(7);
    const now = Date.now();
    db.prepare("INSERT INTO users (id, name, token_hash, created_at) VALUES ('seed', 'Seed', 'seed-hash', ?)").run(now);
    const insert = db.prepare(
      "INSERT INTO messages (id, room, seq, author_id, client_offset, content, ts) VALUES (?, 'general', ?, 'seed', ?, ?, ?)",
    );
    db.transaction(() => {
      for (let n = 1; n <= messages; n++) insert.run(n, n, `seed-${n}`, sentence(random), now - (messages - n) * 1000);
      db.prepare("UPDATE rooms SET last_seq = ? WHERE id = 'general'").run(messages);
      // Index everything at once rather than through the off-path backlog, one row at a time.
      db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild'); DELETE FROM search_backlog;");
    })();
    // Seal every full page, as the writer does when each fills. Left queued, the 2,000 pages are the
    // server's first seconds of work after it starts (~1.3 s of the primary's CPU), inside the measured
    // window: the ?before= pages then took 2-4 ms on one worker and 6-15 on the other, p95 11-13 ms.
    const sealer = createPageSealer(db);
    try {
      while (sealer.sealNow(100) > 0);
    } finally {
      sealer.close();
    }
  } finally {
    db.close();
  }
}

async function session(url: string): Promise<string> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Bench device' }),
  });
  return ((await response.json()) as SessionCreated).token;
}

/** A device with nothing stored: no cursors, as a fresh install connects. */
async function firstSync(url: string, token: string): Promise<{ ms: number; stored: number }> {
  const socket = io(url, {
    auth: { token, cursors: {} },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  let stored = 0;
  socket.on('message:batch', (batch: Message[]) => (stored += batch.length));
  const started = performance.now();
  try {
    await connectUntilSynced(socket, 30_000);
    return { ms: performance.now() - started, stored };
  } finally {
    socket.close();
  }
}

async function timed(task: () => Promise<Response>): Promise<number> {
  const started = performance.now();
  const response = await task();
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`answered ${response.status}`);
  return performance.now() - started;
}

async function postgresSearch(messages: number): Promise<{ ms: number[] } | { problem: string }> {
  const problem = await postgresProblem();
  if (problem) return { problem };
  const schema = freshSchemaName('bench_history');
  const store = await openPostgresStore(TEST_DATABASE_URL, { schema });
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    await client.query("INSERT INTO users (id, name, token_hash, created_at) VALUES ('seed', 'Seed', 'seed-hash', 0)");
    const random = rng(7);
    const chunk = 20_000;
    for (let from = 1; from <= messages; from += chunk) {
      const ids = Array.from({ length: Math.min(chunk, messages - from + 1) }, (_, index) => from + index);
      await client.query(
        `INSERT INTO messages (id, room, seq, author_id, client_offset, content, ts)
         SELECT id, 'general', id, 'seed', 'seed-' || id, content, id FROM unnest($1::BIGINT[], $2::TEXT[]) AS s(id, content)`,
        [ids, ids.map(() => sentence(random))],
      );
    }
    await client.query("UPDATE rooms SET last_seq = $1 WHERE id = 'general'", [messages]);
    await client.query('UPDATE message_ids SET last_id = $1', [messages]);
    // What the store's indexer does after commits, in one go (as SQLite's seed rebuilds its index).
    await client.query("INSERT INTO message_search (id, room, search) SELECT id, room, to_tsvector('simple', content) FROM messages");
    await client.query('UPDATE search_progress SET last_id = $1', [messages]);
    await client.query('ANALYZE messages');
    await client.query('ANALYZE message_search');
    const ask = rng(11);
    const ms: number[] = [];
    for (let n = 0; n < SAMPLES; n++) {
      const terms = [word(Math.floor(ask() * VOCABULARY))];
      if (n % 2 === 1) terms.push(word(Math.floor(ask() * VOCABULARY)));
      const started = performance.now();
      await store.search({ terms, rooms: ['general'], limit: 20, offset: 0 });
      ms.push(performance.now() - started);
    }
    return { ms };
  } finally {
    await client.end();
    await store.close();
    await dropSchema(schema);
  }
}

export async function measureHistory(context: MeasureContext, messages: number): Promise<HistoryResult> {
  const dbPath = join(benchTempDir('bench-history-'), 'chat.db');
  const seedStarted = performance.now();
  await seedSqlite(dbPath, messages);
  const seedMs = performance.now() - seedStarted;
  context.log(`history: seeded ${messages.toLocaleString('en-US')} messages with their search index in ${(seedMs / 1000).toFixed(1)} s`);
  const result: HistoryResult = {
    messages,
    seedMs,
    firstSyncMs: [],
    firstSyncStored: [],
    searchMs: [],
    beforeMs: [],
    postgresSearchMs: null,
  };
  await withServer('ours', { dbPath }, context, async (server) => {
    for (let n = 0; n < 5; n++) {
      const { ms, stored } = await firstSync(server.url, await session(server.url));
      result.firstSyncMs.push(ms);
      result.firstSyncStored.push(stored);
    }
    const token = await session(server.url);
    const headers = { authorization: `Bearer ${token}` };
    const ask = rng(11);
    for (let n = 0; n < SAMPLES; n++) {
      const terms = [word(Math.floor(ask() * VOCABULARY))];
      if (n % 2 === 1) terms.push(word(Math.floor(ask() * VOCABULARY)));
      result.searchMs.push(await timed(() => fetch(`${server.url}/api/search?q=${encodeURIComponent(terms.join(' '))}`, { headers })));
    }
    const depth = rng(13);
    for (let n = 0; n < SAMPLES * 2; n++) {
      const before = 51 + Math.floor(depth() * (messages - 50));
      result.beforeMs.push(await timed(() => fetch(`${server.url}/api/rooms/general/messages?before=${before}&limit=50`, { headers })));
    }
  });
  const postgres = await postgresSearch(messages);
  if ('ms' in postgres) result.postgresSearchMs = postgres.ms;
  else result.postgresProblem = postgres.problem;
  try {
    result.deviceSearch = await measureDeviceSearch();
  } catch (error) {
    result.deviceSearch = null;
    result.deviceSearchProblem = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  context.log(
    `history: first sync ${result.firstSyncMs.map((ms) => ms.toFixed(0)).join('/')} ms storing ${Math.max(...result.firstSyncStored)}; ` +
      `search p95 ${p95(result.searchMs)?.toFixed(1)} ms (PostgreSQL ${p95(result.postgresSearchMs)?.toFixed(1) ?? result.postgresProblem}); ` +
      `before= page p95 ${p95(result.beforeMs)?.toFixed(1)} ms (p50 ${quantile(result.beforeMs, 0.5)?.toFixed(1)}, search p50 ${quantile(result.searchMs, 0.5)?.toFixed(1)}); ` +
      (result.deviceSearch
        ? `device search over ${result.deviceSearch.stored.toLocaleString('en-US')} in Chromium p95 ${p95(result.deviceSearch.ms)?.toFixed(1)} ms (p50 ${quantile(result.deviceSearch.ms, 0.5)?.toFixed(1)}, first query ${result.deviceSearch.firstMs.toFixed(0)} ms)`
        : `device search not measured: ${result.deviceSearchProblem}`),
  );
  return result;
}
