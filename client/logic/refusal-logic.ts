/**
 * What the server's refusals mean: words for the person when they asked for something, a delay
 * when the app asked on its own, and what to do after a refused handshake (socket.io does not
 * retry those by itself).
 */
import type { Err } from '../../shared/protocol';
import { backoffMs } from './outbox-logic';

/** Automatic requests (sync, read cursors, the rooms listing) refused this often in a row are left to the next catch-up. */
export const MAX_AUTOMATIC_RETRIES = 8;

/** Whole seconds to wait, at least 1 (a server that says 200 ms still reads as "1 s"). */
export function secondsToWait(ms: number | undefined): number {
  return Math.max(1, Math.ceil((ms ?? 0) / 1000));
}

export function tooManyRequestsText(retryAfterMs: number | undefined): string {
  return `Too many requests, try again in ${secondsToWait(retryAfterMs)} s.`;
}

/** Words for a refused action the person asked for (join a room, leave it, open a DM, rename). */
export function refusalText(error: Pick<Err, 'code' | 'message' | 'retryAfterMs'>): string {
  return error.code === 'rate_limited' ? tooManyRequestsText(error.retryAfterMs) : error.message;
}

/**
 * A refusal of something the app asked by itself: how long to wait before asking again, or
 * undefined to stop (only `rate_limited` is worth repeating, and not for ever).
 */
export function automaticRetryMs(error: Pick<Err, 'code' | 'retryAfterMs'>, attempts: number, random: number): number | undefined {
  if (error.code !== 'rate_limited' || attempts >= MAX_AUTOMATIC_RETRIES) return undefined;
  return Math.max(error.retryAfterMs ?? 0, backoffMs(attempts, random));
}

/** Why the server refused a handshake, when it is worth trying again. */
export type HandshakeRefusal = 'rate_limited' | 'too_many_sockets' | 'unavailable';

export type AfterRefusal = { kind: 'session-ended' } | { kind: 'retry'; reason: HandshakeRefusal; delayMs: number };

/** `connect_error` from the server's handshake: `message` and its `data` (e.g. `{ retryAfterMs }`). */
export function afterRefusedHandshake(message: string, data: unknown, attempts: number, random: number): AfterRefusal {
  if (message === 'unauthorized') return { kind: 'session-ended' };
  if (message === 'rate_limited') {
    return { kind: 'retry', reason: 'rate_limited', delayMs: Math.max(retryAfterOf(data) ?? 0, backoffMs(attempts, random)) };
  }
  // Another tab or device must close first: start at a few seconds, not at once.
  if (message === 'too_many_sockets') return { kind: 'retry', reason: 'too_many_sockets', delayMs: backoffMs(attempts + 3, random) };
  return { kind: 'retry', reason: 'unavailable', delayMs: backoffMs(attempts, random) };
}

/** `{ retryAfterMs }` of a refusal's data, when it is a number. */
function retryAfterOf(data: unknown): number | undefined {
  if (typeof data !== 'object' || data === null || !('retryAfterMs' in data)) return undefined;
  return typeof data.retryAfterMs === 'number' ? data.retryAfterMs : undefined;
}

/** The connection banner while waiting to try again after a refused handshake. */
export function refusedBannerText(reason: HandshakeRefusal, seconds: number): string {
  const when = seconds > 0 ? `retrying in ${seconds} s` : 'retrying…';
  switch (reason) {
    case 'rate_limited':
      return `Too many connection attempts — ${when}`;
    case 'too_many_sockets':
      return `Too many open connections (close other tabs) — ${when}`;
    default:
      return `The server refused the connection — ${when}`;
  }
}
