import { describe, expect, it } from 'vitest';
import { noticePhrase, placeNotices } from '../../../client/logic/notice-logic';
import { phraseText } from '../../../client/logic/phrase';

const dan = { id: 'dan', name: 'Dan' };

describe('notices', () => {
  it('say who joined or left, the name a part of its own', () => {
    expect(phraseText(noticePhrase({ kind: 'joined', user: dan }))).toBe('Dan joined');
    expect(phraseText(noticePhrase({ kind: 'left', user: dan }))).toBe('Dan left');
    expect(noticePhrase({ kind: 'joined', user: { id: 'm', name: 'مريم' } })).toEqual([
      { text: 'مريم', person: true },
      { text: ' joined' },
    ]);
  });

  it('sit before the first newer message, or after the last', () => {
    const early = { ts: 5 };
    const middle = { ts: 15 };
    const late = { ts: 40 };
    expect(placeNotices([10, 20, 30], [early, middle, late])).toEqual({ before: [[early], [middle], []], after: [late] });
    expect(placeNotices([], [early])).toEqual({ before: [], after: [early] });
  });
});
