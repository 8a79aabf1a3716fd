import { describe, expect, it } from 'vitest';
import { isSingleEmoji } from '../../shared/emoji';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemeCount = (text: string) => [...segmenter.segment(text)].length;
const PICTOGRAPHIC = /^\p{Extended_Pictographic}$/u;

describe('isSingleEmoji', () => {
  it('takes one emoji, with its skin tone, joiners, flag pairs and keycaps', () => {
    for (const emoji of ['👍', '❤️', '©', '👍🏽', '👨‍👩‍👧', '🏳️‍🌈', '🇵🇹', '1️⃣', '🧑🏾‍💻']) expect(isSingleEmoji(emoji), emoji).toBe(true);
  });

  it('refuses text, two emoji, an emoji with text, and a lone modifier or selector', () => {
    for (const text of ['', 'ok', 'a', '👍👍', 'a👍', '👍a', '\uFE0F', '🏽', '\n\uFE0F', '👍🏽🏽x'])
      expect(isSingleEmoji(text), JSON.stringify(text)).toBe(false);
  });

  it('answers what the grapheme segmenter would for every pictographic code point, bare, with a selector or a skin tone', () => {
    let checked = 0;
    for (let codePoint = 0; codePoint <= 0x1ffff; codePoint++) {
      const base = String.fromCodePoint(codePoint);
      if (!PICTOGRAPHIC.test(base)) continue;
      for (const text of [base, `${base}\uFE0F`, `${base}\u{1F3FD}`]) {
        expect(isSingleEmoji(text), text).toBe(graphemeCount(text) === 1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(8_000);
  });
});
