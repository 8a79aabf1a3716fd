/** Turning thrown errors into the protocol's `Err`, without ever leaking a stack or SQL text. */
import type { Err, ErrCode } from '../../shared/protocol';

export const err = (code: ErrCode, message: string, retryAfterMs?: number): Err =>
  retryAfterMs === undefined ? { code, message } : { code, message, retryAfterMs };

/** Anything unexpected is a storage or server fault: the client should retry later. */
export function toErr(error: unknown, log: (message: string) => void = console.error): Err {
  log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return err('unavailable', 'the server could not complete this right now; retry shortly');
}
