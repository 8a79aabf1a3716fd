/** The service worker's life: register it, and offer (never force) a reload when a new version is waiting. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { registerSW } from 'virtual:pwa-register';

const UPDATE_CHECK_MS = 60 * 60 * 1000;

export const useAppUpdateStore = defineStore('app-update', () => {
  const updateWaiting = ref(false);
  const offlineReady = ref(false);
  let activate: ((reloadPage?: boolean) => Promise<void>) | undefined;

  function register(): void {
    if (!('serviceWorker' in navigator)) return;
    activate = registerSW({
      immediate: true,
      onNeedRefresh: () => (updateWaiting.value = true),
      onOfflineReady: () => (offlineReady.value = true),
      onRegisteredSW(_url, registration) {
        if (!registration) return;
        setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
        window.addEventListener('online', () => void registration.update().catch(() => undefined));
      },
    });
  }

  /** Only ever called from the user's click: the new worker takes over and the page reloads once. */
  async function reload(): Promise<void> {
    await activate?.(true);
  }

  return { updateWaiting, offlineReady, register, reload };
});
