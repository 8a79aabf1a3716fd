import { describe, expect, it } from 'vitest';
import type { LocalMessage } from '../../../client/logic/models';
import { IndexFeed } from '../../../client/logic/search-feed';

const author = { id: 'u1', name: 'Ann' };
function sent(room: string, seq: number, content: string): LocalMessage {
  return { key: `u1/${room}-${seq}`, room, clientOffset: `${room}-${seq}`, author, content, state: 'sent', ts: seq, id: seq, seq };
}

describe('what the search worker must learn', () => {
  it('sends a room only when its timeline changed, with its searchable messages only, and names rooms that went', () => {
    const feed = new IndexFeed();
    const general = [sent('general', 1, 'alpha'), sent('general', 2, '')];
    const pending: LocalMessage = { ...sent('general', 3, 'not yet'), state: 'pending', seq: undefined };
    const dm = [sent('dm', 1, 'hello')];
    expect(
      feed.next([
        ['general', [...general, pending]],
        ['dm', dm],
      ]).rooms,
    ).toEqual([
      ['general', [{ key: 'u1/general-1', ts: 1, content: 'alpha' }]],
      ['dm', [{ key: 'u1/dm-1', ts: 1, content: 'hello' }]],
    ]);
    // Nothing changed: nothing crosses over.
    const same = [...general, pending];
    feed.next([
      ['general', same],
      ['dm', dm],
    ]);
    expect(
      feed.next([
        ['general', same],
        ['dm', dm],
      ]),
    ).toEqual({ rooms: [], gone: [] });
    // general replaced (a new message), dm no longer held.
    const next = [...same, sent('general', 4, 'beta')];
    expect(feed.next([['general', next]])).toEqual({
      rooms: [
        [
          'general',
          [
            { key: 'u1/general-1', ts: 1, content: 'alpha' },
            { key: 'u1/general-4', ts: 4, content: 'beta' },
          ],
        ],
      ],
      gone: ['dm'],
    });
  });
});
