/** What counts as one reaction emoji, the same on both sides: exactly one grapheme that is an emoji. */

const segmenter =
  typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : undefined;

/** Longest reaction accepted, in UTF-16 units: a family or a flag with modifiers fits. */
export const MAX_EMOJI_UNITS = 32;

function graphemes(text: string): number {
  if (!segmenter) return [...text].length;
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

/** 😀, 👍🏽, 👨‍👩‍👧, 🇵🇹 and 1️⃣ are; "ok", "👍👍" and "a👍" are not. */
export function isSingleEmoji(text: string): boolean {
  if (text.length === 0 || text.length > MAX_EMOJI_UNITS || graphemes(text) !== 1) return false;
  return /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20E3/u.test(text);
}
