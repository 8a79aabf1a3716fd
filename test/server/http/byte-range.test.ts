/** Range requests and download names for attachment reads: the pure parts of the read route. */
import { describe, expect, it } from 'vitest';
import { rangeOf } from '../../../server/http/byte-range';
import { contentDisposition } from '../../../server/http/content-disposition';

describe('byte ranges', () => {
  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-99', { kind: 'part', range: { start: 0, end: 99 } }],
    ['bytes=900-', { kind: 'part', range: { start: 900, end: 999 } }],
    ['bytes=900-5000', { kind: 'part', range: { start: 900, end: 999 } }],
    ['bytes=-100', { kind: 'part', range: { start: 900, end: 999 } }],
    ['bytes=-5000', { kind: 'part', range: { start: 0, end: 999 } }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-9', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
    ['bytes=9-5', { kind: 'whole' }],
    ['bytes=-', { kind: 'whole' }],
  ])('%s of 1000 bytes', (header, answer) => {
    expect(rangeOf(header, 1000)).toEqual(answer);
  });
});

describe('content disposition', () => {
  it('gives every browser the name: RFC 6266 filename* and an ASCII fallback without quotes', () => {
    expect(contentDisposition('inline', 'photo.jpg')).toBe(`inline; filename="photo.jpg"; filename*=UTF-8''photo.jpg`);
    expect(contentDisposition('attachment', 'Ünïcödé "quoted" 100%.pdf')).toBe(
      `attachment; filename="_n_c_d_ _quoted_ 100_.pdf"; filename*=UTF-8''%C3%9Cn%C3%AFc%C3%B6d%C3%A9%20%22quoted%22%20100%25.pdf`,
    );
    expect(contentDisposition('attachment', "it's (1).txt")).toBe(
      `attachment; filename="it's (1).txt"; filename*=UTF-8''it%27s%20%281%29.txt`,
    );
  });
});
