/** Pure rules for notices ("Ana joined"): their wording and where they sit between messages. */
import type { Notice } from '../../shared/protocol';
import { person, type Phrase } from './phrase';

/** "Dan joined" / "Dan left", the name a part of its own. */
export function noticePhrase(notice: Pick<Notice, 'kind' | 'user'>): Phrase {
  return [person(notice.user.name), { text: notice.kind === 'joined' ? ' joined' : ' left' }];
}

export type Placed<N> = { before: N[][]; after: N[] };

/**
 * Each notice goes just before the first message newer than it, the rest after the last one,
 * so notices read in time order between messages without ever being messages.
 */
export function placeNotices<N extends { ts: number }>(messageTimes: readonly number[], notices: readonly N[]): Placed<N> {
  const before: N[][] = messageTimes.map(() => []);
  const after: N[] = [];
  for (const notice of notices) {
    const index = messageTimes.findIndex((ts) => ts > notice.ts);
    if (index === -1) after.push(notice);
    else before[index].push(notice);
  }
  return { before, after };
}
