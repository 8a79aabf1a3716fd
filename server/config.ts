/**
 * The only reader of process.env: every setting is validated here, once, and a
 * bad value stops the process with one line that says which variable and why.
 */
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  DEFAULT_ATTACHMENT_MAX_BYTES,
  DEFAULT_ATTACHMENT_TYPES,
  DEFAULT_CATCHUP_CAP,
  DEFAULT_HISTORY_WINDOW,
  PRESENCE_LIST_LIMIT,
} from '../shared/limits';

export type RateLimit = { perSecond: number; burst: number } | null;

/**
 * Everything a client can ask costs from one of these budgets (token buckets):
 * - send: messages, per user;
 * - action: joins, leaves, DMs, syncs, renames and HTTP reads, per user;
 * - signal: typing and read receipts, per user;
 * - account: new accounts, per client address;
 * - connect: socket handshakes, per client address.
 */
export const BUDGETS = ['send', 'action', 'signal', 'account', 'connect'] as const;
export type Budget = (typeof BUDGETS)[number];
export type BudgetLimits = Record<Budget, RateLimit>;

export type Config = {
  port: number;
  host: string | undefined;
  dbPath: string;
  /** `synchronous` pragma of SQLite: FULL makes every acked commit survive power loss. */
  sqliteSync: 'FULL' | 'NORMAL';
  workers: number;
  /** Messages per user (CHAT_RATE_LIMIT); also `budgets.send`. */
  rateLimit: RateLimit;
  /** Every budget; all null when CHAT_RATE_LIMIT=0 (benchmarks). */
  budgets: BudgetLimits;
  /** Read the client address from X-Forwarded-For (behind a reverse proxy that sets it). */
  trustProxy: boolean;
  /** The origin people reach us at (passkeys are bound to it, link codes point to it); default: the Host of each request. */
  publicUrl: string | undefined;
  /** Public rooms one person may be in at once (DMs and general do not count). */
  maxRoomsPerUser: number;
  /** Sockets one person may hold open on one server process. */
  maxSocketsPerUser: number;
  /** Above this many people online, 'bounded' presence sockets get counts, not names. */
  presenceListLimit: number;
  /** What the writer enforces about changes: an edit window (null: none) and distinct reactions per message. */
  changeRules: { editWindowMs: number | null; maxReactionEmoji: number };
  /** Newest messages a room without a cursor gets on catch-up (0: every message, as v1 read it). */
  historyWindow: number;
  /** Most messages one catch-up replays per room; further behind, the client gets the newest window and the hole is marked. */
  catchUpCap: number;
  /** Bytes one socket may have waiting to be sent before it is disconnected (a reader that fell behind). */
  maxBufferedBytes: number;
  /** Origins besides our own allowed to call the API and open sockets. */
  origins: string[];
  staticDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** A session unused this long is signed out (its token stops working). */
  sessionIdleMs: number;
  /** The front door: a connection must send its whole request head within this time… */
  headTimeoutMs: number;
  /** …and in at most this many bytes (431 otherwise). */
  maxHeaderBytes: number;
  /** Open connections the server holds at once, and per client address (TCP peer). */
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Signs the cluster's session ids (set by the primary for its workers; see process/session-ids.ts). */
  clusterKey: string | undefined;
  logLevel: LogLevel;
  /** /metrics: on its own port (any path answers it there), or on the main port behind this bearer token; off without either. */
  metricsPort: number | undefined;
  metricsToken: string | undefined;
  /** Web Push: who may be sent to, with which keys, and how long a push may wait (push/). */
  push: PushConfig;
  /** Attachments (#18): where blobs and partial uploads live, how large and of which types. */
  attachments: AttachmentConfig;
};

export type AttachmentConfig = {
  /** Blobs under `<blobDir>/<id[0..2]>/<id>`, partial tus uploads under `<blobDir>/uploads/`. */
  blobDir: string;
  /** Largest upload accepted (`Upload-Length`), in bytes. */
  maxBytes: number;
  /** MIME types accepted, checked against the bytes. */
  types: string[];
};

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Where subscriptions may point: `https://host` suffixes of the known push services, or exact
 * origins (any scheme, any address: a test's loopback fake); never anything else.
 */
export type PushEndpointRule = { kind: 'suffix'; host: string } | { kind: 'origin'; origin: string };
export type PushConfig = {
  endpoints: PushEndpointRule[];
  /** Both keys from the config, or null: generated on first start and kept in the store. */
  vapidKeys: { publicKey: string; privateKey: string } | null;
  /** The contact the push services see in the VAPID JWT (`sub`): a mailto: or https: URL. */
  vapidSubject: string;
  /** Seconds a push may wait (at the push service, or in our queue) before it is dropped. */
  ttlSeconds: number;
};

/** FCM (Chrome, Edge on Android), Mozilla autopush (Firefox), Apple (Safari), WNS (Edge on Windows). */
export const DEFAULT_PUSH_ENDPOINTS = 'fcm.googleapis.com,push.services.mozilla.com,push.apple.com,notify.windows.com';

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** `20` (20/s, burst 60), `20:100` (explicit burst), `0` (off). */
function rateLimit(env: Env, name: string, fallback: RateLimit): RateLimit {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?::\s*(\d+))?\s*$/.exec(raw);
  if (!match) throw new ConfigError(`${name} must look like "20" or "20:60" (per second[:burst]) or "0", got "${raw}"`);
  const perSecond = Number(match[1]);
  if (perSecond === 0) return null;
  const burst = match[2] === undefined ? Math.max(1, Math.ceil(perSecond * 3)) : Number(match[2]);
  if (burst < 1) throw new ConfigError(`${name} burst must be at least 1`);
  return { perSecond, burst };
}

/**
 * Defaults a real deployment can keep: a person typing fast, a phone reconnecting, and a
 * classroom of 60 behind one NAT joining at once all fit; a script flooding does not.
 */
function budgets(env: Env): BudgetLimits {
  const send = rateLimit(env, 'CHAT_RATE_LIMIT', { perSecond: 20, burst: 60 });
  const limits: BudgetLimits = {
    send,
    action: rateLimit(env, 'CHAT_RATE_ACTIONS', { perSecond: 5, burst: 40 }),
    signal: rateLimit(env, 'CHAT_RATE_SIGNALS', { perSecond: 10, burst: 50 }),
    account: rateLimit(env, 'CHAT_RATE_ACCOUNTS', { perSecond: 1, burst: 300 }),
    connect: rateLimit(env, 'CHAT_RATE_CONNECTS', { perSecond: 50, burst: 1000 }),
  };
  // CHAT_RATE_LIMIT=0 turns every limit off, as benchmarks run.
  if (!send) for (const budget of BUDGETS) limits[budget] = null;
  return limits;
}

const limitsOff = (env: Env): boolean => rateLimit(env, 'CHAT_RATE_LIMIT', { perSecond: 1, burst: 1 }) === null;

function publicUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`CHAT_PUBLIC_URL must be an origin like https://chat.example.com, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError(`CHAT_PUBLIC_URL must start with https: or http:, got "${raw}"`);
  return url.origin;
}

function flag(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${env[name]}"`);
}

function origins(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      let url: URL;
      try {
        url = new URL(origin);
      } catch {
        throw new ConfigError(`CHAT_ORIGINS entries must be origins like http://localhost:5173, got "${origin}"`);
      }
      if (url.origin !== origin.replace(/\/$/, ''))
        throw new ConfigError(`CHAT_ORIGINS entries must be bare origins (no path), got "${origin}"`);
      return url.origin;
    });
}

/** A URL for a message: any password in it (even in one that does not parse) replaced by `***`. */
export function withoutPassword(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:).*@/i, '$1***@');
}

function serviceUrl(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${withoutPassword(raw)}"`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${name} must start with ${protocols.join(' or ')}, got "${url.protocol}"`);
  return raw;
}

export function readConfig(env: Env = process.env): Config {
  const sync = (env.CHAT_SQLITE_SYNC ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') throw new ConfigError(`CHAT_SQLITE_SYNC must be FULL or NORMAL, got "${env.CHAT_SQLITE_SYNC}"`);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || undefined,
    dbPath: resolve(env.CHAT_DB || './data/chat.db'),
    sqliteSync: sync,
    workers: integer(env, 'WORKERS', availableParallelism(), 1, 256),
    rateLimit: rateLimit(env, 'CHAT_RATE_LIMIT', { perSecond: 20, burst: 60 }),
    budgets: budgets(env),
    trustProxy: flag(env, 'CHAT_TRUST_PROXY'),
    publicUrl: publicUrl(env.CHAT_PUBLIC_URL),
    // CHAT_RATE_LIMIT=0 (load tests) lifts the per-person caps too, unless they are set.
    maxRoomsPerUser: integer(env, 'CHAT_MAX_ROOMS_PER_USER', limitsOff(env) ? 100_000 : 500, 1, 100_000),
    maxSocketsPerUser: integer(env, 'CHAT_MAX_SOCKETS_PER_USER', limitsOff(env) ? 100_000 : 100, 1, 100_000),
    presenceListLimit: integer(env, 'CHAT_PRESENCE_LIST_LIMIT', PRESENCE_LIST_LIMIT, 0, 100_000),
    maxBufferedBytes: integer(env, 'CHAT_MAX_BUFFERED_KB', 4096, 64, 1_048_576) * 1024,
    historyWindow: integer(env, 'CHAT_HISTORY_WINDOW', DEFAULT_HISTORY_WINDOW, 0, 100_000),
    changeRules: {
      // 0 (the default): edit any time.
      editWindowMs: integer(env, 'CHAT_EDIT_WINDOW_MINUTES', 0, 0, 525_600) * 60_000 || null,
      maxReactionEmoji: integer(env, 'CHAT_MAX_REACTION_EMOJI', 20, 1, 200),
    },
    catchUpCap: integer(env, 'CHAT_CATCHUP_CAP', DEFAULT_CATCHUP_CAP, 500, 10_000_000),
    origins: origins(env.CHAT_ORIGINS),
    staticDir: resolve(env.CHAT_STATIC_DIR || './dist'),
    databaseUrl: serviceUrl(env, 'CHAT_DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: serviceUrl(env, 'CHAT_REDIS_URL', ['redis:', 'rediss:']),
    sessionIdleMs: integer(env, 'CHAT_SESSION_IDLE_DAYS', 30, 1, 3650) * 86_400_000,
    headTimeoutMs: integer(env, 'CHAT_HEAD_TIMEOUT_MS', 5000, 100, 120_000),
    maxHeaderBytes: integer(env, 'CHAT_MAX_HEADER_KB', 16, 1, 1024) * 1024,
    ...connectionCaps(env),
    clusterKey: env.CHAT_CLUSTER_KEY || undefined,
    logLevel: logLevel(env.CHAT_LOG_LEVEL),
    metricsPort: env.CHAT_METRICS_PORT ? integer(env, 'CHAT_METRICS_PORT', 0, 0, 65535) : undefined,
    metricsToken: metricsToken(env.CHAT_METRICS_TOKEN),
    push: pushConfig(env),
    attachments: attachmentConfig(env),
  };
}

/** Types a browser would run as a page or script if it were ever rendered: never accepted, whatever the config says. */
const ACTIVE_TYPES = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/javascript',
  'application/javascript',
  'text/xml',
  'application/xml',
]);
const MIME_TYPE = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/;

function attachmentConfig(env: Env): AttachmentConfig {
  const dbPath = resolve(env.CHAT_DB || './data/chat.db');
  // Beside the SQLite file by default; with PostgreSQL every instance must see the same folder (a shared volume).
  const fallback = env.CHAT_DATABASE_URL ? resolve('./data/blobs') : join(dirname(dbPath), 'blobs');
  const raw = env.CHAT_ATTACHMENT_TYPES?.trim();
  const types = raw
    ? raw
        .split(',')
        .map((type) => type.trim().toLowerCase())
        .filter(Boolean)
    : [...DEFAULT_ATTACHMENT_TYPES];
  for (const type of types) {
    if (!MIME_TYPE.test(type)) throw new ConfigError(`CHAT_ATTACHMENT_TYPES entries must be MIME types like image/png, got "${type}"`);
    if (ACTIVE_TYPES.has(type)) throw new ConfigError(`CHAT_ATTACHMENT_TYPES must not allow ${type}: a browser could run it as a page`);
  }
  if (types.length === 0) throw new ConfigError('CHAT_ATTACHMENT_TYPES must name at least one MIME type');
  return {
    blobDir: resolve(env.CHAT_BLOB_DIR?.trim() || fallback),
    maxBytes: integer(env, 'CHAT_ATTACHMENT_MAX_BYTES', DEFAULT_ATTACHMENT_MAX_BYTES, 1024, 2 ** 31),
    types: [...new Set(types)],
  };
}

function pushEndpoints(raw: string): PushEndpointRule[] {
  return raw
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean)
    .map((entry): PushEndpointRule => {
      if (!entry.includes('://')) {
        if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry))
          throw new ConfigError(`CHAT_PUSH_ENDPOINTS entries must be host names or origins, got "${entry}"`);
        return { kind: 'suffix', host: entry };
      }
      let url: URL;
      try {
        url = new URL(entry);
      } catch {
        throw new ConfigError(`CHAT_PUSH_ENDPOINTS entries must be host names or origins, got "${entry}"`);
      }
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, ''))
        throw new ConfigError(`CHAT_PUSH_ENDPOINTS origins must be bare http(s) origins (no path), got "${entry}"`);
      return { kind: 'origin', origin: url.origin };
    });
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

function pushConfig(env: Env): PushConfig {
  const publicKey = env.CHAT_VAPID_PUBLIC_KEY?.trim() || undefined;
  const privateKey = env.CHAT_VAPID_PRIVATE_KEY?.trim() || undefined;
  if ((publicKey === undefined) !== (privateKey === undefined))
    throw new ConfigError('CHAT_VAPID_PUBLIC_KEY and CHAT_VAPID_PRIVATE_KEY must be set together (or neither: keys are generated)');
  // Uncompressed P-256 point (65 bytes) and scalar (32 bytes), URL-safe base64 as web-push writes them.
  if (publicKey && (!BASE64URL.test(publicKey) || publicKey.length !== 87))
    throw new ConfigError('CHAT_VAPID_PUBLIC_KEY must be 65 bytes in URL-safe base64 (87 characters)');
  if (privateKey && (!BASE64URL.test(privateKey) || privateKey.length !== 43))
    throw new ConfigError('CHAT_VAPID_PRIVATE_KEY must be 32 bytes in URL-safe base64 (43 characters)');
  const ourHttps = env.CHAT_PUBLIC_URL?.trim().startsWith('https://') ? env.CHAT_PUBLIC_URL.trim() : undefined;
  // Apple refuses a JWT whose contact is not real: deployments set CHAT_VAPID_SUBJECT or an https CHAT_PUBLIC_URL.
  const subject = env.CHAT_VAPID_SUBJECT?.trim() || ourHttps || 'mailto:push@offline-chat.invalid';
  if (!/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(subject))
    throw new ConfigError(`CHAT_VAPID_SUBJECT must be a mailto: or https: URL, got "${subject}"`);
  return {
    endpoints: pushEndpoints(env.CHAT_PUSH_ENDPOINTS || DEFAULT_PUSH_ENDPOINTS),
    vapidKeys: publicKey && privateKey ? { publicKey, privateKey } : null,
    vapidSubject: subject,
    ttlSeconds: integer(env, 'CHAT_PUSH_TTL_HOURS', 24, 1, 672) * 3600,
  };
}

/**
 * A classroom behind one NAT (60 people, a few tabs and requests each) fits the per-address cap.
 * Behind a proxy every connection comes from the proxy, so only the global cap applies; with
 * CHAT_RATE_LIMIT=0 (load tests from one machine) both are lifted unless set.
 */
function connectionCaps(env: Env): { maxConnections: number; maxConnectionsPerAddress: number } {
  const off = limitsOff(env);
  const maxConnections = integer(env, 'CHAT_MAX_CONNECTIONS', off ? 1_000_000 : 10_000, 1, 10_000_000);
  const perAddressDefault = off || flag(env, 'CHAT_TRUST_PROXY') ? maxConnections : Math.min(1000, maxConnections);
  return { maxConnections, maxConnectionsPerAddress: integer(env, 'CHAT_MAX_CONNECTIONS_PER_IP', perAddressDefault, 1, 10_000_000) };
}

function logLevel(raw: string | undefined): LogLevel {
  const level = (raw ?? '').trim().toLowerCase() || 'info';
  const known = LOG_LEVELS.find((name) => name === level);
  if (!known) throw new ConfigError(`CHAT_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  return known;
}

function metricsToken(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length < 16 || !/^[\x21-\x7e]+$/.test(raw))
    throw new ConfigError('CHAT_METRICS_TOKEN must be at least 16 printable characters, no spaces');
  return raw;
}

/** `host:port` of a service URL, for messages (never its password). */
export function serviceAddress(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || defaultPort}`;
  } catch {
    return 'the configured address';
  }
}

/** A network error's code (ECONNREFUSED); a failed dual-stack connect wraps them in an AggregateError. */
function networkCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) return networkCode(inner[0]);
  const message = error instanceof Error ? error.message : '';
  return /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
}

/**
 * The one line a service that cannot be reached at startup stops the server with,
 * e.g. `CHAT_REDIS_URL: cannot reach Redis at 127.0.0.1:6379 (ECONNREFUSED)`.
 * Returns undefined when the failure is not about reaching it (a refusal, a bad schema…).
 */
export function unreachableService(
  variable: string,
  service: string,
  url: string,
  defaultPort: number,
  error: unknown,
): string | undefined {
  const where = serviceAddress(url, defaultPort);
  const code = networkCode(error);
  if (code) return `${variable}: cannot reach ${service} at ${where} (${code})`;
  if (/timeout|timed out/i.test(error instanceof Error ? error.message : String(error))) {
    return `${variable}: cannot reach ${service} at ${where} (connection timed out)`;
  }
  return undefined;
}
