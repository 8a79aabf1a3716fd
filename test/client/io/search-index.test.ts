import { describe, expect, it } from 'vitest';
import { MessageIndex } from '../../../client/io/search-index';
import { IndexFeed } from '../../../client/logic/search-feed';
import type { LocalMessage } from '../../../client/logic/models';

const author = { id: 'u1', name: 'Ann' };
function sent(room: string, seq: number, content: string): LocalMessage {
  return { key: `u1/${room}-${seq}`, room, clientOffset: `${room}-${seq}`, author, content, state: 'sent', ts: seq, id: seq, seq };
}

describe('the device search index', () => {
  it('finds messages holding every word, the last one as a prefix, accent- and case-insensitive', () => {
    const index = new MessageIndex();
    index.sync([
      [
        'general',
        [sent('general', 1, 'Kiwi orchards in spring'), sent('general', 2, 'kiwi only'), sent('general', 3, 'Le café est ouvert')],
      ],
    ]);
    expect(index.search('kiwi').map((hit) => hit.key)).toEqual(expect.arrayContaining(['u1/general-1', 'u1/general-2']));
    expect(index.search('kiwi orch').map((hit) => hit.key)).toEqual(['u1/general-1']);
    expect(index.search('KIWI ORCHARDS')[0].terms.sort()).toEqual(['kiwi', 'orchards']);
    expect(index.search('cafe').map((hit) => hit.key)).toEqual(['u1/general-3']);
    expect(index.search('spring autumn')).toEqual([]);
    expect(index.search('  ')).toEqual([]);
  });

  it('reads the last word as a prefix only from its third letter, and keeps to the limit', () => {
    const index = new MessageIndex();
    index.sync([['general', Array.from({ length: 30 }, (_, n) => sent('general', n + 1, `kiwi ${n} kilo`))]]);
    // Two letters begin too many words to score them all: only the whole word "ki" would match.
    expect(index.search('ki')).toEqual([]);
    expect(index.search('kiw')).toHaveLength(30);
    expect(index.search('kiw', 5).map((hit) => hit.key)).toEqual([30, 29, 28, 27, 26].map((seq) => `u1/general-${seq}`));
  });

  it('learns a big load in slices that yield to the page, ending where one go would', async () => {
    const index = new MessageIndex();
    const timeline = Array.from({ length: 2500 }, (_, n) => sent('general', n + 1, n === 2499 ? 'last kiwi' : `message ${n}`));
    let yielded = 0;
    const counting = setInterval(() => yielded++, 0);
    try {
      await index.applyInSlices(new IndexFeed().next([['general', timeline]]));
    } finally {
      clearInterval(counting);
    }
    // Two pauses (after 1,000 and 2,000 messages) let the page's own tasks run in between.
    expect(yielded).toBeGreaterThan(0);
    expect(index.size).toBe(2500);
    expect(index.search('kiwi').map((hit) => hit.key)).toEqual(['u1/general-2500']);
  });

  it('ranks newer first among equal matches', () => {
    const index = new MessageIndex();
    index.sync([['general', [sent('general', 1, 'same words'), sent('general', 2, 'same words'), sent('general', 3, 'same words')]]]);
    expect(index.search('same').map((hit) => hit.key)).toEqual(['u1/general-3', 'u1/general-2', 'u1/general-1']);
  });

  it('keeps in step incrementally: new, changed, evicted and unsent messages, and rooms that go', () => {
    const index = new MessageIndex();
    const first = [sent('general', 1, 'alpha'), sent('general', 2, 'beta')];
    const pending: LocalMessage = { ...sent('general', 3, 'gamma pending'), state: 'pending', seq: undefined, id: undefined };
    index.sync([
      ['general', [...first, pending]],
      ['dm', [sent('dm', 1, 'alpha in a dm')]],
    ]);
    expect(index.size).toBe(3);
    expect(index.search('gamma')).toEqual([]);
    // alpha evicted, beta edited, delta arrives; the dm is no longer held.
    index.sync([['general', [{ ...first[1], content: 'beta edited' }, sent('general', 4, 'delta')]]]);
    expect(index.size).toBe(2);
    expect(index.search('alpha')).toEqual([]);
    expect(index.search('edited').map((hit) => hit.key)).toEqual(['u1/general-2']);
    expect(index.search('delta').map((hit) => hit.room)).toEqual(['general']);
  });
});
