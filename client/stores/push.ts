/**
 * This device's Web Push subscription (#16), loaded only with the settings that show it: which step
 * to show ("Turn on notifications", the iPhone's Home Screen hint, blocked), and turning it on (ask
 * the browser, subscribe with the server's VAPID key, hand the subscription to the server) or off.
 * Never asked on load: only a tap on "Turn on notifications" asks for permission.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError } from '../io/api';
import { deleteSubscription, fetchPushKey, saveSubscription, type SubscriptionJson } from '../io/push-api';
import { base64UrlBytes, pushStep, type DeviceTraits, type PushStep } from '../logic/push-permission-logic';
import { useSessionStore } from './session';

/** What decides the step and the blocked help: the browser, its touch screen, whether it runs installed. */
export function traits(): DeviceTraits {
  const standalone =
    matchMedia('(display-mode: standalone)').matches || (navigator as Navigator & { standalone?: boolean }).standalone === true;
  return { userAgent: navigator.userAgent, maxTouchPoints: navigator.maxTouchPoints, standalone };
}

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** The service worker's push manager, once there is a worker (never waits for one that is not coming). */
async function pushManager(): Promise<PushManager | undefined> {
  if (!supported()) return undefined;
  return (await navigator.serviceWorker.getRegistration())?.pushManager;
}

function failure(error: unknown): string {
  if (error instanceof ApiError) return `The server refused: ${error.message}`;
  if (!navigator.onLine) return 'You are offline. Turning notifications on needs a connection.';
  return 'Notifications could not be turned on here. Try again later.';
}

export const usePushStore = defineStore('push', () => {
  const session = useSessionStore();
  const step = ref<PushStep>();
  const busy = ref(false);
  const problem = ref('');

  /**
   * Reads the step from the browser. The browser keeps its subscription across a sign-out while the
   * server forgets it with the session, so one found here is handed to the server again (it is
   * idempotent: the endpoint moves to this session).
   */
  async function refresh(resync = true): Promise<void> {
    const subscription = await (await pushManager())?.getSubscription();
    const canPush = supported();
    step.value = pushStep(traits(), {
      supported: canPush,
      permission: canPush ? Notification.permission : 'default',
      subscribed: Boolean(subscription),
    });
    const token = session.session?.token;
    if (resync && subscription && token && step.value === 'on')
      await saveSubscription(token, subscription.toJSON() as SubscriptionJson).catch(() => undefined);
  }

  async function run(task: (token: string) => Promise<void>): Promise<void> {
    const token = session.session?.token;
    if (!token || busy.value) return;
    busy.value = true;
    problem.value = '';
    try {
      await task(token);
    } catch (error) {
      problem.value = failure(error);
    } finally {
      busy.value = false;
      await refresh(false);
    }
  }

  /** Asks the browser (from the tap), subscribes, and tells the server where to push. */
  function turnOn(): Promise<void> {
    return run(async (token) => {
      const permission = await Notification.requestPermission();
      if (permission === 'default') problem.value = 'Notifications stay off: the question was closed without an answer.';
      if (permission !== 'granted') return;
      const [key, manager] = await Promise.all([fetchPushKey(token), navigator.serviceWorker.ready.then((ready) => ready.pushManager)]);
      const subscription =
        (await manager.getSubscription()) ??
        (await manager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlBytes(key) }));
      await saveSubscription(token, subscription.toJSON() as SubscriptionJson);
    });
  }

  /** The server forgets this device first (so no push is sent to a dead endpoint), then the browser. */
  function turnOff(): Promise<void> {
    return run(async (token) => {
      await deleteSubscription(token);
      await (await (await pushManager())?.getSubscription())?.unsubscribe();
    });
  }

  return { step, busy, problem, refresh, turnOn, turnOff };
});
