/** Asks the browser for a Background Sync (Chromium) so the service worker flushes the outbox after the page is gone. */
export const OUTBOX_SYNC_TAG = 'outbox-flush';

type SyncCapable = ServiceWorkerRegistration & { sync: { register(tag: string): Promise<void> } };

function canSync(registration: ServiceWorkerRegistration): registration is SyncCapable {
  return 'sync' in registration;
}

export async function requestBackgroundFlush(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.getRegistration().catch(() => undefined);
  if (!registration || !canSync(registration)) return;
  await registration.sync.register(OUTBOX_SYNC_TAG).catch(() => undefined);
}
