/** The display-name rule as people meet it, worded and sized from the one number both sides check (shared/limits.ts). */
import { MAX_NAME_CHARS } from '../../shared/limits';

/** Shown when a name is refused before it is sent. */
export const NAME_RULE_TEXT = `Enter a name of 1 to ${MAX_NAME_CHARS} characters.`;

/**
 * For `<input maxlength>`, which counts UTF-16 units where the rule counts characters (an emoji is
 * two units): room for any valid name; the rule itself is checked when the name is submitted.
 */
export const NAME_INPUT_MAXLENGTH = MAX_NAME_CHARS * 2;
