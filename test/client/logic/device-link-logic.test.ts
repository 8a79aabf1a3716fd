import { describe, expect, it } from 'vitest';
import { linkCodeSchema, parsePayload } from '../../../shared/schema';
import { linkCodeFromUrl, linkExpiryText, normalizeLinkCode } from '../../../client/logic/device-link-logic';

describe('a link code as typed', () => {
  it('reads any case, with or without the dash or spaces, as the server does', () => {
    expect(normalizeLinkCode('7kq2-m9xd')).toBe('7KQ2M9XD');
    expect(normalizeLinkCode(' 7KQ2 M9XD ')).toBe('7KQ2M9XD');
    for (const raw of ['7kq2-m9xd', '7KQ2M9X', '7KQ2-M9X0', 'IIII-LLLL', '', '7KQ2-M9XD-22']) {
      const server = parsePayload(linkCodeSchema, raw);
      expect(normalizeLinkCode(raw) !== undefined, raw).toBe(server.ok);
    }
  });
});

describe('a link opened on the new device', () => {
  it('finds the code in the hash the server builds, or in the query', () => {
    expect(linkCodeFromUrl({ hash: '#link=7KQ2-M9XD', search: '' })).toBe('7KQ2M9XD');
    expect(linkCodeFromUrl({ hash: '', search: '?link=7kq2m9xd' })).toBe('7KQ2M9XD');
  });

  it('finds nothing in an ordinary address or a broken link', () => {
    expect(linkCodeFromUrl({ hash: '', search: '' })).toBeUndefined();
    expect(linkCodeFromUrl({ hash: '#room=general', search: '' })).toBeUndefined();
    expect(linkCodeFromUrl({ hash: '#link=nope', search: '' })).toBeUndefined();
  });
});

describe('the countdown', () => {
  it('counts down in minutes and seconds, then says to make a new code', () => {
    expect(linkExpiryText(5 * 60_000)).toBe('Expires in 5:00');
    expect(linkExpiryText(61_000)).toBe('Expires in 1:01');
    expect(linkExpiryText(400)).toBe('Expires in 0:01');
    expect(linkExpiryText(0)).toBe('Code expired — make a new one.');
  });
});
