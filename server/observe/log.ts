/**
 * The one logger: JSON lines (pino) on stdout, with levels. Code that acts for
 * a request or a socket logs through a child carrying its id (`req`, `socket`).
 * What never goes in a line: tokens, passwords, message content. A client's
 * mistake is one short line without a stack (`refusal`); a stack is written
 * only for what is our bug (`internalError`).
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config';

export type Log = Logger;

export const log: Log = pino({
  level: 'info',
  base: { pid: process.pid },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  // A second line of defence: these never belong in a log, wherever they are attached.
  redact: {
    paths: ['token', '*.token', 'auth', '*.auth', 'authorization', '*.authorization', 'content', '*.content'],
    censor: '[redacted]',
  },
});

/** Set once at start-up, before any child logger is made (children copy the level). */
export function setLogLevel(level: LogLevel): void {
  log.level = level;
}

/** A client's request refused with a protocol code: one line, no stack. Rate-limit refusals are counted, not logged (debug). */
export function refusal(logger: Log, code: string, what: string): void {
  if (code === 'rate_limited') logger.debug({ code, what }, 'refused');
  else logger.info({ code, what }, 'refused');
}

/** Something failed that should not have: a bug or a store fault, with its stack. */
export function internalError(logger: Log, error: unknown, what: string): void {
  logger.error({ err: error, what }, 'internal error');
}

let lastRequestId = 0;
/** Ids for HTTP requests: unique per process, cheap, and never derived from anything the client sent. */
export function nextRequestId(): string {
  lastRequestId++;
  return `${process.pid.toString(36)}-${lastRequestId.toString(36)}`;
}
