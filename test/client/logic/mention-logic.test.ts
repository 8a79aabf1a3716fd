import { describe, expect, it } from 'vitest';
import type { User } from '../../../shared/protocol';
import { namesPerson } from '../../../shared/push';
import {
  insertMention,
  mentionParts,
  mentionQueryAt,
  mentionToken,
  mentionsUser,
  suggestPeople,
  unreadMentions,
} from '../../../client/logic/mention-logic';
import type { LocalMessage } from '../../../client/logic/models';

const ana: User = { id: 'a', name: 'Ana Lopez', handle: 'ana' };
const bob: User = { id: 'b', name: 'Bob' };
const bea: User = { id: 'c', name: 'Beatrix Stone', handle: 'bea_s' };
const zoe: User = { id: 'z', name: 'Zoë Béart' };

describe('what is being typed after an @', () => {
  it('finds the @ before the caret and what follows it', () => {
    expect(mentionQueryAt('hi @an', 6)).toEqual({ start: 3, query: 'an' });
    expect(mentionQueryAt('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQueryAt('hi @Ana Lo', 10)).toEqual({ start: 3, query: 'Ana Lo' });
  });

  it('is nothing in an e-mail address, after a line break, a double space, or with no @', () => {
    expect(mentionQueryAt('mail ana@example', 16)).toBeNull();
    expect(mentionQueryAt('@ana\nnext', 9)).toBeNull();
    expect(mentionQueryAt('@ana  lo', 8)).toBeNull();
    expect(mentionQueryAt('@ hello', 7)).toBeNull();
    expect(mentionQueryAt('plain text', 10)).toBeNull();
  });

  it('looks only as far back as a long name', () => {
    const long = `@${'x'.repeat(40)}`;
    expect(mentionQueryAt(long, long.length)).toBeNull();
  });
});

describe('who fits', () => {
  const people = [bob, ana, bea, zoe, { id: 'me', name: 'Me Myself', handle: 'me_' }];

  it('ranks handle and name starts before a later word, leaving ourselves out', () => {
    expect(suggestPeople('b', people, 'me').map((p) => p.id)).toEqual(['c', 'b', 'z']);
    expect(suggestPeople('lo', people, 'me').map((p) => p.id)).toEqual(['a']);
    expect(suggestPeople('me', people, 'me')).toEqual([]);
    expect(suggestPeople('', people, 'me')).toHaveLength(4);
  });

  it('matches without regard to case and lists each person once', () => {
    expect(suggestPeople('ANA', [ana, { ...ana, name: 'Ana renamed' }], 'me')).toEqual([ana]);
  });
});

describe('what goes in', () => {
  it('is the handle, or the whole display name for someone without one, and a space', () => {
    expect(mentionToken(ana)).toBe('@ana');
    expect(mentionToken(bob)).toBe('@Bob');
    const typed = 'hi @an, there';
    expect(insertMention(typed, { start: 3, query: 'an' }, 6, ana)).toEqual({ text: 'hi @ana , there', caret: 8 });
    expect(insertMention('hi @bo', { start: 3, query: 'bo' }, 6, bob)).toEqual({ text: 'hi @Bob ', caret: 8 });
    expect(insertMention('@z more', { start: 0, query: 'z' }, 2, zoe)).toEqual({ text: '@Zoë Béart more', caret: 11 });
  });

  it('is read by the server as a mention of that person', () => {
    expect(mentionsUser(insertMention('@b', { start: 0, query: 'b' }, 2, bob).text, bob)).toBe(true);
    expect(namesPerson(insertMention('@z', { start: 0, query: 'z' }, 2, zoe).text, zoe.name)).toBe(true);
    expect(mentionsUser(insertMention('@a', { start: 0, query: 'a' }, 2, ana).text, ana)).toBe(true);
  });
});

describe('mentions in a message', () => {
  it('marks handles and known names, ours as "me"', () => {
    expect(mentionParts('hey @ana and @Bob!', bob, [ana, bob])).toEqual([
      { text: 'hey ' },
      { text: '@ana', mention: 'other' },
      { text: ' and ' },
      { text: '@Bob', mention: 'me' },
      { text: '!' },
    ]);
    expect(mentionParts('@ANA hi', ana, [ana, bob])).toEqual([{ text: '@ANA', mention: 'me' }, { text: ' hi' }]);
  });

  it('takes the longest name and leaves e-mail addresses, short words and names run on alone', () => {
    const bo: User = { id: 'bo', name: 'Bo' };
    expect(mentionParts('@Bob, @Bo', bo, [bo, bob]).map((part) => part.mention ?? '')).toEqual(['other', '', 'me']);
    expect(mentionParts('mail ana@ana.org', ana, [ana])).toEqual([{ text: 'mail ana@ana.org' }]);
    // "@Bobby" is not Bob's name run on; it reads as someone's @handle (as on the server), "@a" as too short for one.
    expect(mentionParts('@Bobby @a', bob, [bob])).toEqual([{ text: '@Bobby', mention: 'other' }, { text: ' @a' }]);
    expect(mentionParts('', bob, [bob])).toEqual([{ text: '' }]);
  });

  it('counts unread mentions of us by others, not deleted ones nor our own', () => {
    const message = (seq: number, content: string, author: User = ana, deleted?: true): LocalMessage => ({
      key: `${author.id}/${seq}`,
      room: 'general',
      clientOffset: String(seq),
      author,
      content,
      state: 'sent',
      ts: seq,
      seq,
      ...(deleted ? { deleted } : {}),
    });
    const timeline = [
      message(1, '@Bob read already'),
      message(2, '@bob hello'),
      message(3, 'no mention'),
      message(4, '@Bob me myself', bob),
      message(5, '', ana, true),
      message(6, 'and @bob again'),
    ];
    expect(unreadMentions(timeline, 1, bob)).toBe(2);
    expect(unreadMentions(timeline, 6, bob)).toBe(0);
    expect(unreadMentions(timeline, 0, { ...bob, handle: 'bobby' })).toBe(0);
  });
});
