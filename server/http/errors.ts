/** The protocol's error codes as HTTP answers: one status per code, the body always `{ error }`. */
import type { Context } from 'hono';
import type { Err } from '../../shared/protocol';
import { log, nextRequestId, refusal, type Log } from '../observe/log';
import { metrics } from '../observe/metrics';

/** Our extensions of the code list: `unauthorized` (401 bodies) and `conflict` (409, a taken handle). */
export type HttpErr = Err | { code: 'unauthorized' | 'conflict'; message: string };

const statusOf = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_long: 413,
  rate_limited: 429,
  unavailable: 503,
} as const satisfies Record<HttpErr['code'], number>;

/** Every status an error answer can have (literal, so a typed client knows these are not `ok`). */
export type ErrorStatus = (typeof statusOf)[keyof typeof statusOf] | 415;

const requestLogs = new WeakMap<Request, Log>();

/** Gives the request its id (answered as X-Request-Id) and the logger every line about it goes through. */
export async function withRequestId(c: Context, next: () => Promise<void>): Promise<void> {
  const id = nextRequestId();
  requestLogs.set(c.req.raw, log.child({ req: id }));
  c.header('X-Request-Id', id);
  await next();
}

/** The request's logger (the root one for a request the middleware did not see). */
export function requestLog(c: Context): Log {
  return requestLogs.get(c.req.raw) ?? log;
}

/** The error as its status (or `status`, e.g. 415 for a body that is not JSON) and `{ error }`, counted and logged in one line. */
export function errorResponse(c: Context, error: HttpErr, status?: 415) {
  metrics.errors.inc({ code: error.code });
  // An `unavailable` was logged with its cause where it was thrown (toErr).
  if (error.code !== 'unavailable') refusal(requestLog(c), error.code, `${c.req.method} ${c.req.routePath}`);
  if ('retryAfterMs' in error && error.retryAfterMs !== undefined) c.header('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
  return c.json({ error } as { error: HttpErr }, (status ?? statusOf[error.code]) as ErrorStatus);
}

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}
