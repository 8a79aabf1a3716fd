/** Reading the bearer token out of an Authorization header. */
import { describe, expect, it } from 'vitest';
import { bearerToken } from '../../../server/http/errors';

describe('bearerToken', () => {
  it('takes the token of a Bearer header, whatever the scheme case and surrounding spaces', () => {
    expect(bearerToken('Bearer abc-123_XYZ')).toBe('abc-123_XYZ');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('BEARER    abc   ')).toBe('abc');
  });

  it('answers null for anything else', () => {
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('')).toBeNull();
    expect(bearerToken('Bearer')).toBeNull();
    expect(bearerToken('Bearer ')).toBeNull();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeNull();
    expect(bearerToken('Bearer two tokens')).toBeNull();
    expect(bearerToken('abc')).toBeNull();
  });
});
