/**
 * The service worker's answer to `pushsubscriptionchange`: the push service replaced or dropped
 * this device's subscription (expired, keys rotated). Without an answer the device would silently
 * stop getting notifications until the app was next opened; with the app closed, the worker
 * subscribes again (with the key the old subscription used, or the server's) and hands the new
 * one to the server under the signed-in session.
 */
import { base64UrlBytes } from '../logic/push-permission-logic';
import { loadSession } from './db';
import { fetchPushKey, saveSubscription, type SubscriptionJson } from './push-api';

type SubscriptionChange = { oldSubscription: PushSubscription | null; newSubscription: PushSubscription | null };

export async function resubscribe(pushManager: PushManager, change: SubscriptionChange): Promise<void> {
  const session = await loadSession();
  // Signed out: the server forgot this device's subscription with the session; nothing to renew.
  if (!session) return;
  const renewed =
    change.newSubscription ??
    (await pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: change.oldSubscription?.options.applicationServerKey ?? base64UrlBytes(await fetchPushKey(session.token)),
    }));
  await saveSubscription(session.token, renewed.toJSON() as SubscriptionJson);
}
