/**
 * The push extension's payloads, apart from schema.ts: only the server validates them, and the
 * PWA's shell imports schema.ts (valibot schemas are not tree-shaken away), so they live here.
 */
import * as v from 'valibot';
import { MAX_PUSH_ENDPOINT_CHARS, NOTIFICATION_LEVELS } from './limits';

/** Extension: how loudly a room notifies one person, the same on all their devices. */
export const notificationLevelSchema = v.picklist(NOTIFICATION_LEVELS, `level must be one of ${NOTIFICATION_LEVELS.join(', ')}`);
export const notificationLevelBodySchema = v.object({ level: notificationLevelSchema });

/** Binary key material as a browser's `PushSubscription.toJSON()` writes it: base64url, padding tolerated. */
const pushKey = (name: string, bytes: number) => {
  const chars = Math.ceil((bytes * 4) / 3);
  return v.pipe(
    v.string(`keys.${name} must be a string`),
    v.regex(/^[A-Za-z0-9_-]+={0,2}$/, `keys.${name} must be base64url`),
    v.transform((key) => key.replace(/=+$/, '')),
    v.length(chars, `keys.${name} must be ${bytes} bytes`),
  );
};

/**
 * Extension `POST /api/push/subscriptions`: the browser's subscription JSON as it is. Which
 * endpoints the server will send to is the server's decision (chat/push-endpoints.ts).
 */
export const pushSubscriptionSchema = v.object({
  endpoint: v.pipe(
    v.string('endpoint must be a string'),
    v.maxLength(MAX_PUSH_ENDPOINT_CHARS, `endpoint must be at most ${MAX_PUSH_ENDPOINT_CHARS} characters`),
    v.url('endpoint must be a URL'),
  ),
  expirationTime: v.optional(v.nullable(v.number('expirationTime must be a number or null'))),
  keys: v.object({ p256dh: pushKey('p256dh', 65), auth: pushKey('auth', 16) }),
});

/** Extension event `app:visibility`: this device shows the app (or not), so pushes go to it while it is hidden. */
export const visibilitySchema = v.object({ hidden: v.boolean('hidden must be a boolean') });
