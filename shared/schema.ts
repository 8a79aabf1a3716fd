/**
 * Runtime validation of every payload that crosses the wire, one schema per
 * event or body, and the single mapping from a validation failure to the
 * protocol's error codes. Server edges and the PWA both use these.
 */
import * as v from 'valibot';
import type { Err } from './protocol';
import {
  CLIENT_OFFSET_PATTERN,
  DM_ROOM_PATTERN,
  GENERAL_ROOM,
  MAX_CLIENT_OFFSET_CHARS,
  MAX_CONTENT_CHARS,
  MAX_NAME_CHARS,
  MAX_ROOM_SLUG_CHARS,
  ROOM_SLUG_PATTERN,
  MAX_CURSOR_KEYS,
  MAX_TOKEN_CHARS,
  USER_ID_PATTERN,
  charCount,
} from './limits';
import { checkContent, checkName } from './text-rules';

const TOO_LONG = `content is longer than ${MAX_CONTENT_CHARS} characters`;

export const roomIdSchema = v.pipe(
  v.string('room must be a string'),
  v.check(
    (room) => room === GENERAL_ROOM || ROOM_SLUG_PATTERN.test(room) || DM_ROOM_PATTERN.test(room),
    `room must be "general", a slug of 1-${MAX_ROOM_SLUG_CHARS} [a-z0-9-], or a DM id`,
  ),
);

export const clientOffsetSchema = v.pipe(
  v.string('clientOffset must be a string'),
  v.regex(CLIENT_OFFSET_PATTERN, `clientOffset must be 1-${MAX_CLIENT_OFFSET_CHARS} characters [A-Za-z0-9_-]`),
);

/** Applies a text rule of text-rules.ts inside a schema: its verdict's text, or its reason as the issue. */
const textRule = (rule: (text: string) => { ok: true; text: string } | { ok: false; reason: string }) =>
  v.rawTransform<string, string>(({ dataset, addIssue, NEVER }) => {
    const verdict = rule(dataset.value);
    if (verdict.ok) return verdict.text;
    addIssue({ message: verdict.reason });
    return NEVER;
  });

export const contentSchema = v.pipe(
  v.string('content must be a string'),
  v.check((text) => charCount(text) <= MAX_CONTENT_CHARS, TOO_LONG),
  textRule(checkContent),
);

export const nameSchema = v.pipe(
  v.string('name must be a string'),
  v.maxLength(MAX_NAME_CHARS * 8, `name must be at most ${MAX_NAME_CHARS} characters`),
  textRule(checkName),
  v.check((name) => charCount(name) <= MAX_NAME_CHARS, `name must be at most ${MAX_NAME_CHARS} characters`),
);

/** Seqs are counts: whole, never negative, exact as a JavaScript number. */
export const seqSchema = v.pipe(
  v.number('seq must be a number'),
  v.safeInteger('seq must be a whole number below 2^53'),
  v.minValue(0, 'seq must be ≥ 0'),
);

/**
 * `{ [room]: seq }` as a null-prototype object: valibot's `record` silently drops the
 * keys `__proto__`, `constructor` and `prototype`, and a plain object answers
 * `cursors.constructor` for a room named "constructor" that the client never sent.
 */
export const cursorsSchema = v.pipe(
  v.custom<Record<string, unknown>>(
    (input) => typeof input === 'object' && input !== null && !Array.isArray(input),
    'cursors must map room ids to seqs',
  ),
  v.transform((input) => Object.entries(input)),
  v.maxLength(MAX_CURSOR_KEYS, `cursors may name at most ${MAX_CURSOR_KEYS} rooms`),
  v.array(v.tuple([roomIdSchema, seqSchema])),
  v.transform((entries) => {
    const cursors: Record<string, number> = Object.create(null);
    for (const [room, seq] of entries) cursors[room] = seq;
    return cursors;
  }),
);

export const sessionBodySchema = v.object({ name: nameSchema });
export const sendSchema = v.object({ room: roomIdSchema, clientOffset: clientOffsetSchema, content: contentSchema });
export const postMessageBodySchema = v.object({ clientOffset: clientOffsetSchema, content: contentSchema });
/** Public slugs (created if new); a DM id is accepted here only to answer `forbidden` to outsiders. */
export const joinSchema = v.object({ room: roomIdSchema });
export const leaveSchema = v.object({
  room: v.pipe(
    roomIdSchema,
    v.check((room) => room !== GENERAL_ROOM, 'general cannot be left'),
  ),
});
export const dmOpenSchema = v.object({
  userId: v.pipe(v.string('userId must be a string'), v.regex(USER_ID_PATTERN, 'userId is malformed')),
});
export const syncSchema = v.object({ cursors: cursorsSchema });
export const readSchema = v.object({ room: roomIdSchema, seq: seqSchema });
export const typingSchema = v.object({ room: roomIdSchema, typing: v.boolean('typing must be a boolean') });
/** Bearer tokens are 43 base64url characters; anything else is simply unknown. */
export const tokenSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TOKEN_CHARS));
export const handshakeAuthSchema = v.object({
  token: tokenSchema,
  cursors: v.optional(cursorsSchema),
  /** Extension: 'delta' asks for `presence:delta` events after the first full `presence`. */
  presence: v.optional(v.picklist(['full', 'delta'], 'presence must be "full" or "delta"')),
});

const pageNumber = (fallback: number) =>
  v.pipe(v.optional(v.string(), String(fallback)), v.regex(/^\d{1,15}$/, 'must be a non-negative integer'), v.transform(Number));
export const historyQuerySchema = v.object({ after: pageNumber(0), limit: pageNumber(500) });

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: Err };

/** Parses untrusted input; failures come back as the protocol's `invalid` or `too_long`. */
export function parsePayload<S extends v.GenericSchema>(schema: S, input: unknown): ParseResult<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  const tooLong = result.issues.some((issue) => issue.message === TOO_LONG);
  const first = result.issues[0];
  const path = first.path?.map((item) => String(item.key)).join('.');
  const message = tooLong ? TOO_LONG : path ? `${path}: ${first.message}` : first.message;
  return { ok: false, error: { code: tooLong ? 'too_long' : 'invalid', message } };
}
