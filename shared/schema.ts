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
  HANDLE_PATTERN,
  LINK_CODE_ALPHABET,
  LINK_CODE_CHARS,
  MAX_CURSOR_KEYS,
  MAX_HANDLE_CHARS,
  MIN_HANDLE_CHARS,
  MAX_TOKEN_CHARS,
  MAX_PRESENCE_QUERY_CHARS,
  USER_ID_PATTERN,
  charCount,
  ATTACHMENT_ID_PATTERN,
  MAX_ATTACHMENTS,
  MAX_ATTACHMENT_NAME_CHARS,
  UPLOAD_ID_PATTERN,
} from './limits';
import { isSingleEmoji } from './emoji';
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

/** A string within the length; what else content must be depends on the message (see sendSchema). */
const contentText = v.pipe(
  v.string('content must be a string'),
  v.check((text) => charCount(text) <= MAX_CONTENT_CHARS, TOO_LONG),
);
export const contentSchema = v.pipe(contentText, textRule(checkContent));

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

/** A message by id, or one of the sender's own by clientOffset (for a parent still in their outbox). */
export const targetSchema = v.union(
  [v.pipe(v.number(), v.safeInteger(), v.minValue(1)), clientOffsetSchema],
  'target must be a message id or one of your clientOffsets',
);
export const emojiSchema = v.pipe(v.string('emoji must be a string'), v.check(isSingleEmoji, 'emoji must be exactly one emoji'));

/** Handles are compared and stored lower-case: "@Ana" and "@ana" are one handle. */
export const handleSchema = v.pipe(
  v.string('handle must be a string'),
  v.maxLength(64, `a handle is ${MIN_HANDLE_CHARS}-${MAX_HANDLE_CHARS} characters`),
  v.trim(),
  v.transform((handle) => handle.replace(/^@/, '').toLowerCase()),
  v.regex(HANDLE_PATTERN, `a handle is ${MIN_HANDLE_CHARS}-${MAX_HANDLE_CHARS} letters a-z, digits or _`),
);
export const handleBodySchema = v.object({ handle: handleSchema });
/** `PUT /api/me/settings`: whether others may see how far you read. */
export const settingsBodySchema = v.object({ readReceipts: v.boolean('readReceipts must be a boolean') });
export const receiptsQuerySchema = v.object({
  seq: v.pipe(v.string('seq is required'), v.regex(/^\d{1,15}$/, 'seq must be a whole number'), v.transform(Number)),
});
/** A link code as people type it: any case, with or without the dash or spaces. */
export const linkCodeSchema = v.pipe(
  v.string('code must be a string'),
  v.maxLength(32, 'code is too long'),
  v.transform((code) => code.replace(/[\s-]/g, '').toUpperCase()),
  v.check(
    (code) => code.length === LINK_CODE_CHARS && [...code].every((char) => LINK_CODE_ALPHABET.includes(char)),
    `code must be ${LINK_CODE_CHARS} letters and digits`,
  ),
);
export const redeemBodySchema = v.object({ code: linkCodeSchema });
export const attachmentIdSchema = v.pipe(v.string(), v.regex(ATTACHMENT_ID_PATTERN, 'attachment ids are 64 hex digits'));
// One message for every way the list can be wrong: the PWA builds it, a person never types it.
const ATTACHMENT_IDS = `attachments must be 1-${MAX_ATTACHMENTS} distinct ids`;
/** Extension: the attachments a send carries, in order, 1..MAX_ATTACHMENTS, each once. */
export const attachmentIdsSchema = v.pipe(
  v.array(attachmentIdSchema, ATTACHMENT_IDS),
  v.minLength(1, ATTACHMENT_IDS),
  v.maxLength(MAX_ATTACHMENTS, ATTACHMENT_IDS),
  v.check((ids) => new Set(ids).size === ids.length, ATTACHMENT_IDS),
);
/** What the server answers for an attachment (`POST /api/attachments`, and inside messages). */
export const attachmentSchema = v.object({
  id: attachmentIdSchema,
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ATTACHMENT_NAME_CHARS * 2)),
  type: v.pipe(v.string(), v.regex(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/, 'type must be a MIME type')),
  size: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  width: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
  height: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1))),
  thumbhash: v.optional(v.pipe(v.string(), v.maxLength(64), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'thumbhash must be base64'))),
});
/** `POST /api/attachments`: the tus upload to turn into an attachment. */
export const finalizeBodySchema = v.object({
  upload: v.pipe(v.string('upload must be a string'), v.regex(UPLOAD_ID_PATTERN, 'upload must be the id of a tus upload')),
});

/**
 * Content as a send carries it: plain content rules, except that a message with attachments may
 * have an empty caption. Checked on the whole object because the rule depends on both fields.
 */
const sendFields = {
  room: roomIdSchema,
  clientOffset: clientOffsetSchema,
  content: contentText,
  replyTo: v.optional(targetSchema),
  attachments: v.optional(attachmentIdsSchema),
};
const contentOrCaption = <T extends { content: string; attachments?: string[] }>() =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const { content, attachments } = dataset.value;
    const verdict = attachments && content === '' ? null : checkContent(content);
    // Named like a field's issue ("content: …"), as parsePayload words those.
    if (verdict && !verdict.ok) addIssue({ message: `content: ${verdict.reason}` });
  });
const sendObject = v.object(sendFields);
export const sendSchema = v.pipe(sendObject, contentOrCaption<v.InferOutput<typeof sendObject>>());
export const editSchema = v.object({ room: roomIdSchema, target: targetSchema, clientOffset: clientOffsetSchema, content: contentSchema });
export const deleteSchema = v.object({ room: roomIdSchema, target: targetSchema, clientOffset: clientOffsetSchema });
export const reactionSchema = v.object({
  room: roomIdSchema,
  target: targetSchema,
  emoji: emojiSchema,
  on: v.boolean('on must be a boolean'),
  clientOffset: clientOffsetSchema,
});
/** `POST /api/rooms/:room/messages`: `message:send` over HTTP, attachments included. */
const postMessageObject = v.object({
  clientOffset: sendFields.clientOffset,
  content: sendFields.content,
  replyTo: sendFields.replyTo,
  attachments: sendFields.attachments,
});
export const postMessageBodySchema = v.pipe(postMessageObject, contentOrCaption<v.InferOutput<typeof postMessageObject>>());
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
export const syncSchema = v.object({
  cursors: cursorsSchema,
  revs: v.optional(cursorsSchema),
  rooms: v.optional(v.pipe(v.array(roomIdSchema), v.maxLength(MAX_CURSOR_KEYS, `rooms may name at most ${MAX_CURSOR_KEYS} rooms`))),
});
export const readSchema = v.object({ room: roomIdSchema, seq: seqSchema });
export const deliveredSchema = v.object({ room: roomIdSchema, seq: seqSchema });
export const typingSchema = v.object({ room: roomIdSchema, typing: v.boolean('typing must be a boolean') });
/** Bearer tokens are 43 base64url characters; anything else is simply unknown. */
export const tokenSchema = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TOKEN_CHARS));
export const handshakeAuthSchema = v.object({
  token: tokenSchema,
  cursors: v.optional(cursorsSchema),
  /** Extension: change cursors; a client that sends them (even empty) receives changes. */
  revs: v.optional(cursorsSchema),
  /** Extension: 'delta' asks for `presence:delta` after the first full `presence`; 'bounded' also for counts in a crowd. */
  presence: v.optional(v.picklist(['full', 'delta', 'bounded'], 'presence must be "full", "delta" or "bounded"')),
  /** Extension: 'rows' asks for catch-up pages as `message:rows`, 'packed' as `message:packed`. */
  pages: v.optional(v.picklist(['messages', 'rows', 'packed'], 'pages must be "messages", "rows" or "packed"')),
});
export const presenceListSchema = v.object({
  query: v.optional(
    v.pipe(
      v.string('query must be a string'),
      v.maxLength(MAX_PRESENCE_QUERY_CHARS, `query must be at most ${MAX_PRESENCE_QUERY_CHARS} characters`),
    ),
  ),
});

const pageNumber = (fallback: number) =>
  v.pipe(v.optional(v.string(), String(fallback)), v.regex(/^\d{1,15}$/, 'must be a non-negative integer'), v.transform(Number));
const optionalSeq = v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}$/, 'must be a non-negative integer'), v.transform(Number)));
/**
 * `after` (v1: the page after a seq), or `before` (extension: the page just before a seq, for
 * scrolling back), or `around` (extension: a page centred on a seq, to jump to a message).
 * Every answer is in seq order.
 */
export const historyQuerySchema = v.pipe(
  v.object({ after: pageNumber(0), before: optionalSeq, around: optionalSeq, limit: pageNumber(500) }),
  v.check(
    (query) => [query.before, query.around].filter((value) => value !== undefined).length + (query.after > 0 ? 1 : 0) <= 1,
    'use one of after, before and around',
  ),
);

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

/** Base64url text of bounded size, as WebAuthn's JSON encodes its binary fields. */
const base64url = (name: string, max: number) =>
  v.pipe(
    v.string(`${name} must be a string`),
    v.maxLength(max, `${name} is too long`),
    v.regex(/^[A-Za-z0-9_-]*$/, `${name} must be base64url`),
  );

/** What `navigator.credentials.create()` answers, as @simplewebauthn/browser sends it (checked in depth by the server library). */
export const registrationResponseSchema = v.object({
  id: base64url('id', 1024),
  rawId: base64url('rawId', 1024),
  type: v.literal('public-key', 'type must be "public-key"'),
  response: v.object({
    clientDataJSON: base64url('clientDataJSON', 16_384),
    attestationObject: base64url('attestationObject', 65_536),
    transports: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(32))), v.maxLength(8))),
    authenticatorData: v.optional(base64url('authenticatorData', 65_536)),
    publicKey: v.optional(base64url('publicKey', 16_384)),
    publicKeyAlgorithm: v.optional(v.number()),
  }),
  clientExtensionResults: v.looseObject({}),
  authenticatorAttachment: v.optional(v.picklist(['platform', 'cross-platform'])),
});

/** What `navigator.credentials.get()` answers. */
export const authenticationResponseSchema = v.object({
  id: base64url('id', 1024),
  rawId: base64url('rawId', 1024),
  type: v.literal('public-key', 'type must be "public-key"'),
  response: v.object({
    clientDataJSON: base64url('clientDataJSON', 16_384),
    authenticatorData: base64url('authenticatorData', 65_536),
    signature: base64url('signature', 4_096),
    userHandle: v.optional(base64url('userHandle', 1024)),
  }),
  clientExtensionResults: v.looseObject({}),
  authenticatorAttachment: v.optional(v.picklist(['platform', 'cross-platform'])),
});

/** `GET /api/search?q=&room=&before=&limit=&cursor=`: `cursor` is the `next` of the previous page. */
export const searchQuerySchema = v.object({
  q: v.pipe(v.string('q is required'), v.maxLength(500, 'q is at most 500 characters')),
  room: v.optional(roomIdSchema),
  before: optionalSeq,
  limit: v.pipe(
    v.optional(v.string(), '20'),
    v.regex(/^\d{1,3}$/, 'limit must be a whole number'),
    v.transform(Number),
    v.minValue(1, 'limit must be at least 1'),
    v.maxValue(50, 'limit is at most 50'),
  ),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,6}$/, 'cursor is the next of a previous answer'), v.transform(Number))),
});
