/**
 * What text a person may put in a name or a message, decided the same way on
 * both sides: names are NFC-normalised and refuse control, format (bidi) and
 * invisible-only text, so nobody can hide in or reorder a name; message content
 * refuses NUL and other control characters except tab and newline, and text
 * with nothing visible in it. Content is otherwise kept verbatim, as the v1
 * contract promises (so it is not normalised).
 */

/** C0 and C1 controls and DEL, except tab (U+0009) and newline (U+000A). */
// eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
const CONTENT_CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
/** Any control, any format character (bidi embeddings and isolates, zero-width space, BOM…) except the emoji joiner, and line/paragraph separators. */
const NAME_FORBIDDEN = /[\p{Cc}\u2028\u2029]|(?!\u200D)\p{Cf}/u;
/**
 * Characters that draw nothing on their own: white space, controls, format
 * characters, combining marks, and the "filler" letters that render blank
 * (Hangul fillers U+115F, U+1160, U+3164, U+FFA0; braille blank U+2800).
 */
const INVISIBLE = /^[\s\p{Cc}\p{Cf}\p{Z}\p{M}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

export function hasVisibleText(text: string): boolean {
  return !INVISIBLE.test(text);
}

export type TextVerdict = { ok: true; text: string } | { ok: false; reason: string };

/** A display name as stored: trimmed, NFC, nothing hidden. */
export function checkName(raw: string): TextVerdict {
  const text = raw.normalize('NFC').trim();
  if (NAME_FORBIDDEN.test(text)) return { ok: false, reason: 'name must not contain control or formatting characters' };
  if (!hasVisibleText(text)) return { ok: false, reason: 'name must contain something visible' };
  return { ok: true, text };
}

/** Message content: verbatim, but no control characters other than tab and newline, and something visible. */
export function checkContent(text: string): TextVerdict {
  if (CONTENT_CONTROL.test(text)) return { ok: false, reason: 'content must not contain control characters other than tab and newline' };
  if (!hasVisibleText(text)) return { ok: false, reason: 'content must not be empty or invisible' };
  return { ok: true, text };
}

/** The caption of a message that carries attachments: may be empty, otherwise the same rules as content. */
export function checkCaption(text: string): TextVerdict {
  return text === '' ? { ok: true, text } : checkContent(text);
}
