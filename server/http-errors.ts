/** The protocol's error codes as HTTP answers: one status per code, the body always `{ error }`. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Err, ErrCode } from '../shared/protocol';

const statusOf: Record<ErrCode | 'unauthorized', ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  too_long: 413,
  rate_limited: 429,
  unavailable: 503,
};

export function errorResponse(c: Context, error: Err | { code: 'unauthorized'; message: string }) {
  if ('retryAfterMs' in error && error.retryAfterMs !== undefined) c.header('Retry-After', String(Math.ceil(error.retryAfterMs / 1000)));
  return c.json({ error }, statusOf[error.code]);
}
