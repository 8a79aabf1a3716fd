/**
 * The service worker's life: register it, and offer (never force) a reload when a new version is waiting.
 * If another tab activates the new version, this one reloads only when nothing is typed or queued.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { registerSW } from 'virtual:pwa-register';

const UPDATE_CHECK_MS = 60 * 60 * 1000;

export const useAppUpdateStore = defineStore('app-update', () => {
  const updateWaiting = ref(false);
  /** Set by the compose box: a non-empty draft blocks any reload we did not ask for. */
  const composeHasText = ref(false);
  let userAsked = false;
  let skipWaiting: (() => Promise<void>) | undefined;

  function register(): void {
    if (!('serviceWorker' in navigator)) return;
    skipWaiting = registerSW({
      // Once the page has loaded, not while it loads: a first visit's worker install fetched the whole
      // precache beside the page's own requests (Lighthouse: total blocking time 190 -> 124 ms).
      immediate: false,
      onNeedRefresh: () => (updateWaiting.value = true),
      onNeedReload: () => void reloadUnlessBusy(),
      onRegisteredSW(_url, registration) {
        if (!registration) return;
        const check = () => void registration.update().catch(() => undefined);
        setInterval(check, UPDATE_CHECK_MS);
        window.addEventListener('online', check);
      },
    });
  }

  /** Another tab activated the new version: reload now unless something is typed or queued here. */
  async function reloadUnlessBusy(): Promise<void> {
    // The outbox store is loaded whenever there is a session (ChatShell.vue); a Join screen has nothing queued.
    const { useOutboxStore } = await import('./outbox');
    if (userAsked || (!composeHasText.value && useOutboxStore().unsentCount === 0)) window.location.reload();
    else updateWaiting.value = true;
  }

  /** Only ever called from the user's click: the waiting worker takes over, then the page reloads once. */
  async function reload(): Promise<void> {
    userAsked = true;
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration?.waiting || !skipWaiting) {
      window.location.reload();
      return;
    }
    navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), { once: true });
    await skipWaiting();
  }

  return { updateWaiting, composeHasText, register, reload };
});
