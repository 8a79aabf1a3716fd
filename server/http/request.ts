/**
 * What every /api route shares: the context's variables, reading a JSON body
 * with a shared schema, the caller's address, refusals for spent budgets, a new
 * session for this device, and which relying party passkeys are for.
 */
import type { HttpBindings } from '@hono/node-server';
import type { Context, TypedResponse } from 'hono';
import { validator } from 'hono/validator';
import type * as v from 'valibot';
import type { User } from '../../shared/protocol';
import { parsePayload } from '../../shared/schema';
import { overBudget, type Budgets } from '../chat/budgets';
import { clientAddress } from '../chat/client-address';
import { deviceName } from '../chat/device-name';
import { err } from '../chat/errors';
import { hashToken, newSessionId, newToken } from '../chat/identity';
import type { RelyingParty } from '../chat/passkeys';
import type { ChangeDeps } from '../chat/change-message';
import type { MediaDeps } from '../media/finalize';
import type { SendDeps } from '../chat/send-message';
import type { Budget, Config, PushConfig } from '../config';
import type { PushStore } from '../store/push-store';
import type { NewSession, SessionRecord } from '../store/store';
import { metrics } from '../observe/metrics';
import { errorResponse } from './errors';

export type AppDeps = SendDeps &
  ChangeDeps & {
    config: Pick<
      Config,
      | 'origins'
      | 'staticDir'
      | 'sessionIdleMs'
      | 'trustProxy'
      | 'publicUrl'
      | 'databaseUrl'
      | 'sqliteSync'
      | 'workers'
      | 'rateLimit'
      | 'metricsToken'
      | 'historyWindow'
      | 'catchUpCap'
    >;
    /** This process's Prometheus text, when it serves /metrics itself (a single process with CHAT_METRICS_TOKEN). */
    metricsText?: () => Promise<string>;
    /** Accounts per client address, and reads and changes per user (chat/budgets.ts). */
    budgets: Budgets;
    /** Tells live sockets and presence, on every worker, about a new display name or handle. */
    userUpdated(user: User): void;
    /** Disconnects, on every worker, the sockets of a session that was just revoked. */
    revoked(sessionId: string): void;
    /** Web Push (push/service.ts); absent where the app runs without it (in-process HTTP tests). */
    push?: PushDeps;
    /** Attachments (#18): uploads, blobs and their config; absent where the app runs without them. */
    media?: MediaDeps;
  };

/** What the push routes need of the push service. */
export type PushDeps = {
  publicKey: string;
  store: PushStore;
  config: Pick<PushConfig, 'endpoints'>;
  /** A device subscribed: start queueing pushes on this process at once. */
  subscribed(): void;
};

/** `incoming` is Node's request under @hono/node-server; absent when the app is called in-process (tests). */
export type Env = { Bindings: Partial<HttpBindings>; Variables: { user: User; session: SessionRecord } };

const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * The body parsed by a shared schema, typed for the client (`hc`). Only `application/json`
 * is read (415 otherwise): a page elsewhere can post text/plain cross-origin without asking.
 */
export const jsonBody = <S extends v.GenericSchema>(schema: S) =>
  validator('json', (value, c) => {
    if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      return errorResponse(c, err('invalid', 'send the body as Content-Type: application/json'), 415);
    }
    const parsed = parsePayload(schema, value);
    return parsed.ok ? (parsed.value as v.InferOutput<S>) : errorResponse(c, parsed.error);
  });

/** The caller's address, for per-address budgets. */
export function addressOf(c: Context<Env>, trustProxy: boolean): string {
  return clientAddress(c.env?.incoming?.socket.remoteAddress, c.req.header('x-forwarded-for'), trustProxy);
}

/** 429 with Retry-After for a spent budget. */
export function refused(c: Context<Env>, budget: Budget, retryAfterMs: number) {
  metrics.rateLimited.inc({ budget });
  return errorResponse(c, err('rate_limited', overBudget(budget), retryAfterMs));
}

/** A new session (bearer token) for the device making this request. */
export function newSession(c: Context<Env>): { token: string; session: NewSession } {
  const token = newToken();
  return { token, session: { id: newSessionId(), tokenHash: hashToken(token), device: deviceName(c.req.header('user-agent')) } };
}

/** Our origin as the browser sees it: CHAT_PUBLIC_URL, else the Host this request came to. */
export function publicOrigin(c: Context<Env>, config: Pick<Config, 'publicUrl' | 'trustProxy'>): string {
  if (config.publicUrl) return config.publicUrl;
  const forwarded = config.trustProxy ? c.req.header('x-forwarded-proto')?.split(',')[0].trim() : undefined;
  const scheme = forwarded === 'https' || forwarded === 'http' ? forwarded : new URL(c.req.url).protocol.replace(':', '');
  return `${scheme}://${c.req.header('host') ?? new URL(c.req.url).host}`;
}

export function relyingParty(c: Context<Env>, config: Pick<Config, 'publicUrl' | 'trustProxy'>): RelyingParty {
  const origin = publicOrigin(c, config);
  return { id: new URL(origin).hostname, name: 'Offline Chat', origin };
}

/**
 * A 200 whose JSON body is already encoded (by the store: rows written as JSON by SQLite), typed as the
 * value it encodes so the typed client (`hc`) reads it like a `c.json` answer. The store contract test
 * checks that the encoding parses to the same messages.
 */
export function encodedJson<T>(c: Context, json: string): Response & TypedResponse<T, 200, 'json'> {
  return c.body(json, 200, { 'Content-Type': 'application/json' }) as unknown as Response & TypedResponse<T, 200, 'json'>;
}
