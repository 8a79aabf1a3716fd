/** Turning thrown errors into the protocol's `Err`, without ever leaking a stack or SQL text. */
import type { Err, ErrCode } from '../../shared/protocol';
import { internalError, log as rootLog, type Log } from '../observe/log';

export const err = (code: ErrCode, message: string, retryAfterMs?: number): Err =>
  retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };

/**
 * Anything unexpected is a storage or server fault: the client should retry later. Logged with
 * its stack (through the request's or socket's logger when given): this one is ours to fix.
 */
export function toErr(error: unknown, log: Log = rootLog, what = 'request'): Err {
  internalError(log, error, what);
  return err('unavailable', 'the server could not complete this right now; retry shortly');
}
