/// <reference lib="webworker" />
/**
 * Service worker (injectManifest): precache the app shell so the chat opens offline,
 * answer every navigation with index.html, replace an older version only when the page asks
 * (prompt updates), flush the outbox in the background when no page is visible, and take Web
 * Push messages (#16): store them, show one notification per room, keep the app badge right.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { flushOutboxInBackground } from './io/background-flush';
import { OUTBOX_SYNC_TAG } from './io/background-sync';
import { notePushedRead, notePushedSeq, openRoomNext, storePushedMessage } from './io/push-inbox';
import { resubscribe } from './io/push-resubscribe';
import { lonePushedRoom, notificationText, readPushPayload, unreadTotal, type OpenRoom } from './logic/push-logic';
import type { RoomEntry } from './logic/room-logic';
import { isDmRoom } from '../shared/limits';
import type { PushPayload } from '../shared/push';

declare const self: ServiceWorkerGlobalScope;

/** Background Sync's event (Chromium), absent from TypeScript's lib. */
type SyncEvent = ExtendableEvent & { tag: string };

function isSyncEvent(event: Event): event is SyncEvent {
  return 'tag' in event && 'waitUntil' in event;
}

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Control the page that installed us, so a later update can hand over (controllerchange) even on a first visit.
clientsClaim();

// The API and the socket are live data, never the shell.
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html'), { denylist: [/^\/api\//, /^\/socket\.io\//, /^\/healthz/] }));

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && 'type' in data && data.type === 'SKIP_WAITING') void self.skipWaiting();
});

self.addEventListener('sync', (event: Event) => {
  if (!isSyncEvent(event) || event.tag !== OUTBOX_SYNC_TAG) return;
  event.waitUntil(flushUnlessVisible());
});

/** A visible page flushes over its socket; two senders would only race for nothing. */
async function flushUnlessVisible(): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window' });
  if (windows.some((client) => client.visibilityState === 'visible')) return;
  await flushOutboxInBackground();
}

/** The app badge where the platform has one (installed apps on Chromium and Safari). */
async function setBadge(rooms: readonly RoomEntry[]): Promise<void> {
  const total = unreadTotal(rooms);
  const badging = self.navigator as Navigator & { setAppBadge?(count?: number): Promise<void>; clearAppBadge?(): Promise<void> };
  await (total > 0 ? badging.setAppBadge?.(total) : badging.clearAppBadge?.())?.catch(() => undefined);
}

async function closeNotifications(room: string): Promise<void> {
  for (const notification of await self.registration.getNotifications({ tag: room })) notification.close();
}

/**
 * As if it had come over the socket; a message cut to fit the push is only noted. A device that
 * cannot write (storage full, a database gone) still shows the message: the socket's catch-up
 * brings it again, so only the notification would have been lost. Returns the rooms list after it,
 * or null when it could not be read.
 */
async function recordPushedMessage(payload: Extract<PushPayload, { kind: 'message' }>): Promise<RoomEntry[] | null> {
  const { message } = payload;
  try {
    return payload.complete ? await storePushedMessage(message) : await notePushedSeq(message.room, message.seq);
  } catch (error) {
    console.error('push: the message is shown but could not be stored', error);
    return null;
  }
}

async function onPush(data: unknown): Promise<void> {
  const payload = readPushPayload(data);
  if (!payload) return;
  if (payload.kind === 'read') {
    await closeNotifications(payload.room);
    await setBadge(await notePushedRead(payload.room, payload.seq));
    return;
  }
  const { message } = payload;
  const rooms = await recordPushedMessage(payload);
  const entry = rooms?.find((room) => room.id === message.room) ?? lonePushedRoom(message.room, message.seq);
  const { title, body } = notificationText(entry, payload);
  await self.registration.showNotification(title, {
    body,
    tag: message.room,
    // A mention or a DM rings again; more in a busy room only updates the one notification.
    renotify: payload.mention || isDmRoom(message.room),
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    timestamp: message.ts,
    data: { room: message.room, seq: message.seq, id: message.id },
  } as NotificationOptions);
  // Without the rooms list the count is unknown; the badge keeps what it had.
  if (rooms) await setBadge(rooms);
}

self.addEventListener('push', (event: PushEvent) => {
  let data: unknown = null;
  try {
    data = event.data?.json();
  } catch {
    return;
  }
  // The worker's console is the only place a failed push can say why (nothing else sees it).
  event.waitUntil(onPush(data).catch((error: unknown) => console.error('push: failed', error)));
});

// The push service replaced or dropped the subscription: renew it, app open or not (io/push-resubscribe.ts).
self.addEventListener('pushsubscriptionchange', (event: Event) => {
  const change = event as ExtendableEvent & { oldSubscription?: PushSubscription | null; newSubscription?: PushSubscription | null };
  change.waitUntil(
    resubscribe(self.registration.pushManager, {
      oldSubscription: change.oldSubscription ?? null,
      newSubscription: change.newSubscription ?? null,
    }),
  );
});

/** Opens the app at the room (and message) of the notification: the window already open, or a new one. */
async function openAt(room: string, seq: number): Promise<void> {
  await openRoomNext(room);
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows[0];
  if (open) {
    open.postMessage({ type: 'OPEN_ROOM', room, seq } satisfies OpenRoom);
    await open.focus();
    return;
  }
  await self.clients.openWindow(`/?room=${encodeURIComponent(room)}&seq=${seq}`);
}

self.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close();
  const data: unknown = event.notification.data;
  if (typeof data !== 'object' || data === null || !('room' in data) || typeof data.room !== 'string') return;
  const seq = 'seq' in data && typeof data.seq === 'number' ? data.seq : 0;
  event.waitUntil(openAt(data.room, seq));
});
