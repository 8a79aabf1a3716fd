/// <reference lib="webworker" />
/**
 * Service worker (injectManifest): precache the app shell so the chat opens offline,
 * answer every navigation with index.html, replace an older version only when the page asks
 * (prompt updates), and flush the outbox in the background when no page is visible.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { flushOutboxInBackground } from './io/background-flush';
import { OUTBOX_SYNC_TAG } from './io/background-sync';

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
