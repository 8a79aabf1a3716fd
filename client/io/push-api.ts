/**
 * The push extension over HTTP (#16): the VAPID key, this device's subscription, and a room's
 * notification level. Apart from api.ts: only the lazily loaded settings call them, so these calls
 * stay out of the app shell.
 */
import type { RoomId } from '../../shared/protocol';
import type { NotificationLevel, RoomNotifications } from '../../shared/push';
import { api, options, refusal } from './api';

/** Extension `GET /api/push/key`: the server's VAPID public key (base64url). */
export async function fetchPushKey(token: string): Promise<string> {
  const response = await api.push.key.$get({}, options(token));
  if (!response.ok) throw await refusal(response);
  return (await response.json()).publicKey;
}

/** The browser's `PushSubscription.toJSON()`, as the route's schema reads it. */
export type SubscriptionJson = { endpoint: string; expirationTime?: number | null; keys: { p256dh: string; auth: string } };

/** Extension `POST /api/push/subscriptions`: this device gets pushes at `subscription` from now on. */
export async function saveSubscription(token: string, subscription: SubscriptionJson): Promise<void> {
  const response = await api.push.subscriptions.$post({ json: subscription }, options(token));
  if (!response.ok) throw await refusal(response);
}

/** Extension `DELETE /api/push/subscriptions`: no more pushes to this device. */
export async function deleteSubscription(token: string): Promise<void> {
  const response = await api.push.subscriptions.$delete({}, options(token));
  if (!response.ok) throw await refusal(response);
}

/** Extension `GET /api/rooms/:room/notifications`: how loudly `room` notifies us, and whether that is its default. */
export async function fetchRoomNotifications(token: string, room: RoomId): Promise<RoomNotifications> {
  const response = await api.rooms[':room'].notifications.$get({ param: { room } }, options(token));
  if (!response.ok) throw await refusal(response);
  return response.json();
}

/** Extension `PUT /api/rooms/:room/notifications`: the same on all our devices. */
export async function saveRoomNotifications(token: string, room: RoomId, level: NotificationLevel): Promise<RoomNotifications> {
  const response = await api.rooms[':room'].notifications.$put({ param: { room }, json: { level } }, options(token));
  if (!response.ok) throw await refusal(response);
  return response.json();
}
