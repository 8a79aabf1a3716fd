/**
 * The app's open tabs tell each other what changed on the device they share: the outbox (so they show and
 * send the same queue), or who is signed in (so a sign-out, a session that ended, or a new join is followed
 * everywhere at once).
 */
export type TabNews =
  /** The outbox in IndexedDB changed: adopt it as stored. */
  | 'outbox-changed'
  /** A tab is ending the session (sign-out, or the server no longer knows it): stop writing to the device now. */
  | 'ending'
  /** The device was wiped by a sign-out. */
  | 'signed-out'
  /** The server no longer knows the session: the device was wiped except the (now inert) outbox. */
  | 'session-ended'
  /** Someone joined: the stored session is new. */
  | 'signed-in';

const NEWS: ReadonlySet<unknown> = new Set<TabNews>(['outbox-changed', 'ending', 'signed-out', 'session-ended', 'signed-in']);

function isTabNews(data: unknown): data is TabNews {
  return NEWS.has(data);
}

// The name dates from when only outbox changes went through it; kept so that tabs still running the
// previous version of the app (which post 'changed' and adopt the outbox on any message) hear us.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('offline-chat-outbox') : undefined;

export function tellOtherTabs(news: TabNews): void {
  channel?.postMessage(news);
}

export function onOtherTabNews(listener: (news: TabNews) => void): void {
  channel?.addEventListener('message', (event: MessageEvent<unknown>) => {
    const { data } = event;
    if (data === 'changed') listener('outbox-changed');
    else if (isTabNews(data)) listener(data);
  });
}
