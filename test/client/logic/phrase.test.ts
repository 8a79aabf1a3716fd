import { describe, expect, it } from 'vitest';
import { person, phraseText } from '../../../client/logic/phrase';

describe('phrases that name people', () => {
  it('mark each name so the view can isolate it, and read as plain text', () => {
    const phrase = [person('אבי'), { text: ' joined' }];
    expect(phrase[0]).toEqual({ text: 'אבי', person: true });
    expect(phraseText(phrase)).toBe('אבי joined');
    expect(phraseText([])).toBe('');
  });
});
