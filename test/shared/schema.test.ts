import { describe, expect, it } from 'vitest';
import { charCount } from '../../shared/limits';
import { cursorsSchema, finalizeBodySchema, parsePayload, sendSchema, sessionBodySchema } from '../../shared/schema';

describe('shared schemas', () => {
  it('accepts a well-formed send and keeps content verbatim', () => {
    const result = parsePayload(sendSchema, { room: 'general', clientOffset: 'a-1_B', content: '  <b>hi</b>  ' });
    expect(result).toEqual({ ok: true, value: { room: 'general', clientOffset: 'a-1_B', content: '  <b>hi</b>  ' } });
  });

  it.each([
    ['missing content', { room: 'general', clientOffset: 'x' }, 'invalid'],
    ['content not a string', { room: 'general', clientOffset: 'x', content: 42 }, 'invalid'],
    ['blank content', { room: 'general', clientOffset: 'x', content: '   ' }, 'invalid'],
    ['4001 chars', { room: 'general', clientOffset: 'x', content: 'a'.repeat(4001) }, 'too_long'],
    ['bad room slug', { room: 'Not A Slug', clientOffset: 'x', content: 'hi' }, 'invalid'],
    ['clientOffset with a space', { room: 'general', clientOffset: 'a b', content: 'hi' }, 'invalid'],
    ['clientOffset of 65 chars', { room: 'general', clientOffset: 'a'.repeat(65), content: 'hi' }, 'invalid'],
    ['not an object', 'hello', 'invalid'],
  ])('rejects %s', (_label, input, code) => {
    const result = parsePayload(sendSchema, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });

  const photo = 'a'.repeat(64);
  const other = 'b'.repeat(64);

  it('lets a send with attachments have an empty caption, but not one without', () => {
    const withPhotos = { room: 'general', clientOffset: 'x', content: '', attachments: [photo, other] };
    expect(parsePayload(sendSchema, withPhotos)).toEqual({ ok: true, value: withPhotos });
    expect(parsePayload(sendSchema, { room: 'general', clientOffset: 'x', content: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: 'content: content must not be empty or invisible' },
    });
    expect(parsePayload(sendSchema, { ...withPhotos, content: 'a caption' }).ok).toBe(true);
    // A caption still follows the content rules.
    expect(parsePayload(sendSchema, { ...withPhotos, content: 'bell\u0007' }).ok).toBe(false);
    expect(parsePayload(sendSchema, { ...withPhotos, content: 'a'.repeat(4001) })).toMatchObject({
      ok: false,
      error: { code: 'too_long' },
    });
  });

  it.each([
    ['an empty list', []],
    ['eleven ids', Array.from({ length: 11 }, (_, index) => index.toString(16).padStart(64, '0'))],
    ['a repeated id', ['a'.repeat(64), 'a'.repeat(64)]],
    ['an upper-case id', ['A'.repeat(64)]],
    ['a short id', ['abc']],
    ['not an array', 'a'.repeat(64)],
  ])('rejects attachments given as %s', (_label, attachments) => {
    expect(parsePayload(sendSchema, { room: 'general', clientOffset: 'x', content: 'hi', attachments })).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
  });

  it('accepts a tus upload id for finalize and nothing path-like', () => {
    expect(parsePayload(finalizeBodySchema, { upload: '3f2a9c_d-1' }).ok).toBe(true);
    expect(parsePayload(finalizeBodySchema, { upload: '../etc/passwd' }).ok).toBe(false);
    expect(parsePayload(finalizeBodySchema, { upload: '' }).ok).toBe(false);
  });

  it('counts an emoji as one character', () => {
    expect(charCount('👋🏽'.repeat(2))).toBe(4);
    expect(parsePayload(sendSchema, { room: 'general', clientOffset: 'x', content: '😀'.repeat(4000) }).ok).toBe(true);
  });

  it('trims names and bounds them to 32 characters', () => {
    expect(parsePayload(sessionBodySchema, { name: '  Ana ' })).toEqual({ ok: true, value: { name: 'Ana' } });
    expect(parsePayload(sessionBodySchema, { name: '   ' }).ok).toBe(false);
    expect(parsePayload(sessionBodySchema, { name: 'n'.repeat(33) }).ok).toBe(false);
  });

  it('accepts DM ids and rejects negative cursors', () => {
    expect(parsePayload(cursorsSchema, { general: 3, 'dm:a:b': 0 }).ok).toBe(true);
    expect(parsePayload(cursorsSchema, { general: -1 }).ok).toBe(false);
    expect(parsePayload(cursorsSchema, { general: 1.5 }).ok).toBe(false);
  });
});

describe('cursors maps keyed by user input', () => {
  it('keeps rooms named like Object.prototype members and answers nothing for rooms not sent', () => {
    const parsed = parsePayload(cursorsSchema, JSON.parse('{"constructor": 4, "prototype": 2, "general": 1}'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect({ ...parsed.value }).toEqual({ constructor: 4, prototype: 2, general: 1 });
    expect(Object.getPrototypeOf(parsed.value)).toBeNull();
    const empty = parsePayload(cursorsSchema, {});
    expect(empty.ok && empty.value.constructor).toBeUndefined();
  });

  it('refuses a __proto__ key, seqs beyond 2^53 and more rooms than any user may hold', () => {
    expect(parsePayload(cursorsSchema, JSON.parse('{"__proto__": 1}')).ok).toBe(false);
    expect(parsePayload(cursorsSchema, { general: 2 ** 53 }).ok).toBe(false);
    const many = Object.fromEntries(Array.from({ length: 1001 }, (_, index) => [`room-${index}`, 0]));
    expect(parsePayload(cursorsSchema, many)).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });
});
