/** The protocol's error codes as HTTP answers: one status per code, the body always `{ error }`. */
import type { Context } from 'hono';
import type { Err } from '../../shared/protocol';

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

/** The error as its status (or `status`, e.g. 415 for a body that is not JSON) and `{ error }`. */
export function errorResponse(c: Context, error: HttpErr, status?: 415) {
  if ('retryAfterMs' in error && error.retryAfterMs !== undefined) c.header('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
  return c.json({ error } as { error: HttpErr }, (status ?? statusOf[error.code]) as ErrorStatus);
}

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}
