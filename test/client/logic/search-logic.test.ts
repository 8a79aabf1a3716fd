import { describe, expect, it } from 'vitest';
import {
  excerptParts,
  foldWord,
  groupByRoom,
  highlightParts,
  onlyNew,
  queryWords,
  snippetParts,
  textWords,
} from '../../../client/logic/search-logic';
import { SNIPPET_MARK_END as END, SNIPPET_MARK_START as START } from '../../../shared/search-terms';

const marked = (parts: { text: string; mark: boolean }[]) => parts.filter((part) => part.mark).map((part) => part.text);
const joined = (parts: { text: string }[]) => parts.map((part) => part.text).join('');

describe('words, as the index and the server read them', () => {
  it('folds case and accents, any script', () => {
    expect(foldWord('Café')).toBe('cafe');
    expect(textWords('Ça va? Привет, 東京 2024!')).toEqual(['ca', 'va', 'привет', '東京', '2024']);
    expect(queryWords('  Kiwi kiwi ORCHARDS ')).toEqual(['kiwi', 'orchards']);
    expect(queryWords('?!')).toEqual([]);
  });
});

describe('highlights', () => {
  it('marks the matched words of a message, keeping every other character as text', () => {
    const parts = highlightParts('Kiwi <b>and</b> kiwis, Café!', new Set(['kiwi', 'cafe']));
    expect(marked(parts)).toEqual(['Kiwi', 'Café']);
    expect(joined(parts)).toBe('Kiwi <b>and</b> kiwis, Café!');
  });

  it('cuts a long message around its first match, with ellipses', () => {
    const long = `${'word '.repeat(60)}the kiwi is here ${'tail '.repeat(60)}`;
    const parts = excerptParts(long, new Set(['kiwi']), 80);
    expect(marked(parts)).toEqual(['kiwi']);
    expect(parts[0]).toEqual({ text: '…', mark: false });
    expect(parts[parts.length - 1]).toEqual({ text: '…', mark: false });
    expect(joined(parts).length).toBeLessThanOrEqual(82);
    expect(joined(excerptParts('short kiwi', new Set(['kiwi'])))).toBe('short kiwi');
  });

  it('reads the server snippet marks as parts, never as HTML', () => {
    const parts = snippetParts(`…about ${START}pineapple${END} <i>harbours</i> ${START}x${END}`);
    expect(parts).toEqual([
      { text: '…about ', mark: false },
      { text: 'pineapple', mark: true },
      { text: ' <i>harbours</i> ', mark: false },
      { text: 'x', mark: true },
    ]);
    expect(snippetParts('no marks')).toEqual([{ text: 'no marks', mark: false }]);
  });
});

describe('device and server results together', () => {
  const hit = (room: string, seq: number) => ({ message: { room, seq } });

  it('keeps only the server results the device has not shown, in the server order', () => {
    const shown = new Set(['general#3', 'dm#1']);
    expect(onlyNew([hit('general', 9), hit('general', 3), hit('dm', 1), hit('dm', 3)], shown)).toEqual([hit('general', 9), hit('dm', 3)]);
  });

  it('groups by room in the order of each room best result', () => {
    const groups = groupByRoom([hit('b', 1), hit('a', 2), hit('b', 3)]);
    expect(groups).toEqual([
      { room: 'b', results: [hit('b', 1), hit('b', 3)] },
      { room: 'a', results: [hit('a', 2)] },
    ]);
  });
});
