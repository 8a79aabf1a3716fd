import { describe, expect, it } from 'vitest';
import { parsePayload, sendSchema, sessionBodySchema } from '../../shared/schema';
import { checkContent, checkName, hasVisibleText } from '../../shared/text-rules';

describe('text rules shared by both sides', () => {
  it.each([
    ['a right-to-left override', 'Ana\u202Egnp.exe'],
    ['a zero-width space', 'A\u200Bna'],
    ['a NUL', 'Ana\u0000'],
    ['a newline', 'Ana\nBob'],
    ['a line separator', 'A\u2028na'],
    ['a first-strong isolate', '\u2068Ana'],
  ])('refuses a name with %s', (_label, name) => {
    expect(checkName(name).ok).toBe(false);
    expect(parsePayload(sessionBodySchema, { name })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it.each([
    ['only zero-width spaces', '\u200B\u200B'],
    ['only a Hangul filler', '\u3164'],
    ['only combining marks', '\u0301\u0302'],
    ['only a braille blank', '\u2800'],
  ])('refuses a name of %s', (_label, name) => {
    expect(checkName(name).ok).toBe(false);
    expect(parsePayload(sessionBodySchema, { name })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('normalises names to NFC and keeps emoji joined by ZWJ', () => {
    expect(checkName('  Jose\u0301 ')).toEqual({ ok: true, text: 'Jos\u00E9' });
    expect(checkName('👨‍👩‍👧 family')).toEqual({ ok: true, text: '👨‍👩‍👧 family' });
    expect(checkName('محمد')).toEqual({ ok: true, text: 'محمد' });
  });

  it('keeps message content verbatim but refuses control characters other than tab and newline', () => {
    expect(checkContent('line one\n\tline two')).toEqual({ ok: true, text: 'line one\n\tline two' });
    expect(checkContent('decomposed e\u0301 stays decomposed')).toEqual({ ok: true, text: 'decomposed e\u0301 stays decomposed' });
    for (const bad of ['nul\u0000', 'bell\u0007', 'cr\r', 'del\u007F', 'c1\u0085']) {
      expect(checkContent(bad).ok, JSON.stringify(bad)).toBe(false);
      expect(parsePayload(sendSchema, { room: 'general', clientOffset: 'x', content: bad })).toMatchObject({
        ok: false,
        error: { code: 'invalid' },
      });
    }
  });

  it('refuses content with nothing visible, and allows right-to-left marks inside visible text', () => {
    expect(hasVisibleText('\u200B \u3164\n')).toBe(false);
    expect(checkContent('\u3164').ok).toBe(false);
    expect(checkContent('שלום \u200F!').ok).toBe(true);
  });
});
