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

/**
 * One pictographic code point, then at most a variation selector or a skin tone (both
 * Grapheme_Cluster_Break=Extend, so never a break before them): one grapheme without asking
 * the segmenter, which takes ~5.6 µs a call and wakes ICU. Nearly every reaction is one of these.
 */
const PLAIN_EMOJI = /^\p{Extended_Pictographic}(?:\u{FE0F}|\p{Emoji_Modifier})?$/u;
/** What makes a single grapheme an emoji: a pictograph, a flag's pair of letters, or a keycap. */
const EMOJI_PART = /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|\u20E3/u;

/** 😀, 👍🏽, 👨‍👩‍👧, 🇵🇹 and 1️⃣ are; "ok", "👍👍" and "a👍" are not. */
export function isSingleEmoji(text: string): boolean {
  if (PLAIN_EMOJI.test(text)) return true;
  if (text.length === 0 || text.length > MAX_EMOJI_UNITS || graphemes(text) !== 1) return false;
  return EMOJI_PART.test(text);
}
