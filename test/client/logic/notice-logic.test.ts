import { describe, expect, it } from 'vitest';
import { noticeText, placeNotices } from '../../../client/logic/notice-logic';

const dan = { id: 'dan', name: 'Dan' };

describe('notices', () => {
  it('say who joined or left', () => {
    expect(noticeText({ kind: 'joined', user: dan })).toBe('Dan joined');
    expect(noticeText({ kind: 'left', user: dan })).toBe('Dan left');
  });

  it('sit before the first newer message, or after the last', () => {
    const early = { ts: 5 };
    const middle = { ts: 15 };
    const late = { ts: 40 };
    expect(placeNotices([10, 20, 30], [early, middle, late])).toEqual({ before: [[early], [middle], []], after: [late] });
    expect(placeNotices([], [early])).toEqual({ before: [], after: [early] });
  });
});
