import { describe, expect, it } from 'vitest';
import { phraseText } from '../../../client/logic/phrase';
import { activeTypists, applyTyping, typingDecision, typingPhrase, TYPING_STALE_MS } from '../../../client/logic/typing-logic';

const typingText = (names: string[]) => phraseText(typingPhrase(names));

const ann = { id: 'ann', name: 'Ann' };
const bob = { id: 'bob', name: 'Bob' };

describe('the typing sentence', () => {
  it('reads naturally for one, two, three and many people', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['Ana'])).toBe('Ana is typing…');
    expect(typingText(['Ana', 'Bob'])).toBe('Ana and Bob are typing…');
    expect(typingText(['Ana', 'Bob', 'Cy'])).toBe('Ana, Bob and Cy are typing…');
    expect(typingText(['Ana', 'Bob', 'Cy', 'Di', 'Ed'])).toBe('Ana, Bob and 3 others are typing…');
  });

  it('keeps every name a part of its own, so the view can isolate a right-to-left one', () => {
    const names = ['מרים', 'Bob', 'علي'];
    const people = (count: number) =>
      typingPhrase([...names, 'Di', 'Ed'].slice(0, count))
        .filter((part) => part.person)
        .map((part) => part.text);
    expect(people(1)).toEqual(['מרים']);
    expect(people(3)).toEqual(names);
    expect(people(5)).toEqual(['מרים', 'Bob']);
    expect(typingPhrase(['מרים']).find((part) => !part.person)?.text).toBe(' is typing…');
  });
});

describe('typists', () => {
  it('adds, refreshes in place and removes typists', () => {
    let typists = applyTyping([], ann, true, 0);
    typists = applyTyping(typists, bob, true, 10);
    typists = applyTyping(typists, ann, true, 20);
    expect(typists.map((typist) => typist.user.name)).toEqual(['Ann', 'Bob']);
    expect(typists[0].until).toBe(20 + TYPING_STALE_MS);
    expect(applyTyping(typists, ann, false, 30).map((typist) => typist.user.name)).toEqual(['Bob']);
  });

  it('expires a typist the server never ended', () => {
    const typists = applyTyping([], ann, true, 0);
    expect(activeTypists(typists, TYPING_STALE_MS - 1)).toHaveLength(1);
    expect(activeTypists(typists, TYPING_STALE_MS)).toHaveLength(0);
  });
});

describe('our own typing signal', () => {
  const idle = { room: undefined, lastTrueAt: 0 };

  it('starts when text appears and repeats at most every 2 s', () => {
    expect(typingDecision(idle, 'general', 'h', 1_000)).toEqual({ emit: 'start', room: 'general' });
    const typing = { room: 'general', lastTrueAt: 1_000 };
    expect(typingDecision(typing, 'general', 'he', 2_500)).toEqual({ emit: 'none' });
    expect(typingDecision(typing, 'general', 'hel', 3_000)).toEqual({ emit: 'start', room: 'general' });
  });

  it('stops once when the box empties, and says nothing when we were not typing', () => {
    expect(typingDecision({ room: 'general', lastTrueAt: 1_000 }, 'general', '  ', 1_500)).toEqual({ emit: 'stop', room: 'general' });
    expect(typingDecision(idle, 'general', '', 1_500)).toEqual({ emit: 'none' });
  });

  it('starts afresh in another room at once', () => {
    expect(typingDecision({ room: 'general', lastTrueAt: 1_000 }, 'book-club', 'x', 1_100)).toEqual({ emit: 'start', room: 'book-club' });
  });
});
