/**
 * The display-name rule as people meet it: the shared text rule (shared/text-rules.ts checkName: NFC,
 * no control or bidi formatting characters, something visible) and the one length both sides check
 * (shared/limits.ts), with the reason for a refusal in words.
 */
import { MAX_NAME_CHARS, charCount } from '../../shared/limits';
import { checkName } from '../../shared/text-rules';

/** Shown when a name is empty or too long. */
export const NAME_RULE_TEXT = `Enter a name of 1 to ${MAX_NAME_CHARS} characters.`;

/**
 * For `<input maxlength>`, which counts UTF-16 units where the rule counts characters (an emoji is
 * two units): room for any valid name; the rule itself is checked when the name is submitted.
 */
export const NAME_INPUT_MAXLENGTH = MAX_NAME_CHARS * 2;

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

/** The name as it will be stored (trimmed, NFC), or why it cannot be: the same verdict the server gives. */
export function checkNameInput(raw: string): NameCheck {
  if (raw.trim() === '') return { ok: false, message: NAME_RULE_TEXT };
  const verdict = checkName(raw);
  if (!verdict.ok) return { ok: false, message: asSentence(verdict.reason) };
  if (charCount(verdict.text) > MAX_NAME_CHARS) return { ok: false, message: NAME_RULE_TEXT };
  return { ok: true, name: verdict.text };
}

/** "name must contain something visible" → "Name must contain something visible." */
function asSentence(reason: string): string {
  return `${reason.charAt(0).toUpperCase()}${reason.slice(1)}.`;
}
