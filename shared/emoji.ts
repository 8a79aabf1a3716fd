/** What counts as one reaction emoji, the same on both sides: exactly one grapheme that is an emoji. */

/**
 * Made on first use, not at import: an Intl.Segmenter wakes ICU, about 6.5 MB of the node binary
 * that each server process would otherwise keep resident whether anyone reacts or not.
 */
let segmenter: Intl.Segmenter | null | undefined;
function graphemeSegmenter(): Intl.Segmenter | null {
  segmenter ??= typeof Intl !== 'undefined' && 'Segmenter' in Intl ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;
  return segmenter;
}

/** Longest reaction accepted, in UTF-16 units: a family or a flag with modifiers fits. */
export const MAX_EMOJI_UNITS = 32;

function graphemes(text: string): number {
  const segments = graphemeSegmenter();
  if (!segments) return [...text].length;
  let count = 0;
  for (const _ of segments.segment(text)) count++;
  return count;
}

/** 😀, 👍🏽, 👨‍👩‍👧, 🇵🇹 and 1️⃣ are; "ok", "👍👍" and "a👍" are not. */
export function isSingleEmoji(text: string): boolean {
  if (text.length === 0 || text.length > MAX_EMOJI_UNITS || graphemes(text) !== 1) return false;
  return /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20E3/u.test(text);
}
