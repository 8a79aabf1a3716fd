/**
 * The page's side of Web Push (#16), loaded after the socket, outside the shell: it tells the
 * server when the app is hidden, keeps the app badge and the tab title at the unread total, and opens the room and
 * message of a tapped notification (the service worker's `OPEN_ROOM` to an open window, or
 * `?room=&seq=` in the address of a window it opened).
 */
import { nextTick, watch } from 'vue';
import { showAppBadge } from './io/app-badge';
import { readOpenRoom } from './logic/push-logic';
import { useHistoryStore } from './stores/history';
import { useRoomsStore } from './stores/rooms';
import { reportAppVisibility } from './realtime/app-visibility';
import type { ChatSocket } from './realtime/socket';

/**
 * The room first, then the message: the timeline settles on a room it switches to (at its bottom)
 * before a jump into it, which would otherwise be undone by that switch.
 */
async function openAt(target: { room: string; seq: number }): Promise<void> {
  useRoomsStore().select(target.room);
  if (target.seq === 0) return;
  await nextTick();
  await useHistoryStore().jumpTo(target.room, target.seq);
}

/** A window the service worker opened: its address names the room and message; then the address is cleaned. */
function openFromAddress(): void {
  const params = new URLSearchParams(location.search);
  const room = params.get('room');
  if (!room) return;
  const seq = Number(params.get('seq'));
  params.delete('room');
  params.delete('seq');
  const rest = params.toString();
  history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  void openAt({ room, seq: Number.isSafeInteger(seq) && seq > 0 ? seq : 0 });
}

let started = false;
const baseTitle = document.title;

/** The unread total on the app's icon and in the tab title, so a background tab shows there is something new. */
function showUnread(total: number): void {
  showAppBadge(total);
  document.title = total > 0 ? `(${total}) ${baseTitle}` : baseTitle;
}

export function startPushPage(socket: ChatSocket): void {
  reportAppVisibility(socket);
  // A later session (after a sign-out) gets a new socket; the badge and the taps are the page's, once.
  if (started) return;
  started = true;
  const rooms = useRoomsStore();
  watch(() => rooms.totalUnread, showUnread, { immediate: true });
  navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
    const target = readOpenRoom(event.data);
    if (target) void openAt(target);
  });
  openFromAddress();
}
