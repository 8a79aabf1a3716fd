import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../client/logic/outbox-logic';
import {
  MAX_AUTOMATIC_RETRIES,
  afterRefusedHandshake,
  automaticRetryMs,
  refusalText,
  refusedBannerText,
  secondsToWait,
  tooManyRequestsText,
} from '../../../client/logic/refusal-logic';

describe('a refusal of something the person asked for', () => {
  it('says how long to wait when the server says slow down, in whole seconds', () => {
    expect(refusalText({ code: 'rate_limited', message: 'too many requests; slow down', retryAfterMs: 2300 })).toBe(
      'Too many requests, try again in 3 s.',
    );
    expect(tooManyRequestsText(200)).toBe('Too many requests, try again in 1 s.');
    expect(tooManyRequestsText(undefined)).toBe('Too many requests, try again in 1 s.');
    expect(secondsToWait(10_000)).toBe(10);
  });

  it('passes any other refusal on as the server worded it', () => {
    expect(refusalText({ code: 'forbidden', message: 'you may not read that conversation' })).toBe('you may not read that conversation');
  });
});

describe('a refusal of something the app asked by itself', () => {
  it('waits as told (at least the backoff), and only for rate_limited', () => {
    expect(automaticRetryMs({ code: 'rate_limited', retryAfterMs: 5000 }, 0, 0)).toBe(5000);
    expect(automaticRetryMs({ code: 'rate_limited' }, 3, 0)).toBe(backoffMs(3, 0));
    expect(automaticRetryMs({ code: 'forbidden' }, 0, 0)).toBeUndefined();
    expect(automaticRetryMs({ code: 'unavailable' }, 0, 0)).toBeUndefined();
  });

  it('gives up after a few tries: the next catch-up asks again anyway', () => {
    expect(automaticRetryMs({ code: 'rate_limited', retryAfterMs: 100 }, MAX_AUTOMATIC_RETRIES - 1, 0)).toBeDefined();
    expect(automaticRetryMs({ code: 'rate_limited', retryAfterMs: 100 }, MAX_AUTOMATIC_RETRIES, 0)).toBeUndefined();
  });
});

describe('a refused handshake', () => {
  it('unauthorized: the session has ended', () => {
    expect(afterRefusedHandshake('unauthorized', undefined, 0, 0)).toEqual({ kind: 'session-ended' });
  });

  it('rate_limited: tries again after retryAfterMs from the refusal data, growing with each refusal', () => {
    expect(afterRefusedHandshake('rate_limited', { retryAfterMs: 7000 }, 0, 0)).toEqual({
      kind: 'retry',
      reason: 'rate_limited',
      delayMs: 7000,
    });
    expect(afterRefusedHandshake('rate_limited', { retryAfterMs: 'soon' }, 5, 0)).toEqual({
      kind: 'retry',
      reason: 'rate_limited',
      delayMs: backoffMs(5, 0),
    });
  });

  it('too_many_sockets: waits a few seconds at least (another tab has to close), up to the backoff cap', () => {
    const first = afterRefusedHandshake('too_many_sockets', { max: 1 }, 0, 0);
    expect(first).toEqual({ kind: 'retry', reason: 'too_many_sockets', delayMs: backoffMs(3, 0) });
    expect(first.kind === 'retry' && first.delayMs).toBeGreaterThanOrEqual(2000);
    expect(afterRefusedHandshake('too_many_sockets', undefined, 50, 0.999)).toMatchObject({ delayMs: backoffMs(53, 0.999) });
    expect(backoffMs(53, 0.999)).toBeLessThanOrEqual(30_000);
  });

  it('anything else (unavailable, invalid): tries again with backoff', () => {
    expect(afterRefusedHandshake('unavailable', undefined, 2, 0)).toEqual({
      kind: 'retry',
      reason: 'unavailable',
      delayMs: backoffMs(2, 0),
    });
  });

  it('is told truthfully on the banner, with a countdown', () => {
    expect(refusedBannerText('rate_limited', 4)).toBe('Too many connection attempts — retrying in 4 s');
    expect(refusedBannerText('too_many_sockets', 12)).toBe('Too many open connections (close other tabs) — retrying in 12 s');
    expect(refusedBannerText('unavailable', 0)).toBe('The server refused the connection — retrying…');
  });
});
