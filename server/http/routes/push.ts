/**
 * Extension (Web Push, #16): the VAPID key, this device's subscription, and the caller's
 * notification level per room. A subscription belongs to the session (device) that sent it.
 */
import { Hono } from 'hono';
import { defaultLevel, type PushKey, type RoomNotifications } from '../../../shared/push';
import { notificationLevelBodySchema, pushSubscriptionSchema } from '../../../shared/push-schema';
import { parsePayload, roomIdSchema } from '../../../shared/schema';
import { accessTo } from '../../chat/access';
import { err } from '../../chat/errors';
import { endpointRefusal, isP256Point } from '../../chat/push-endpoints';
import { errorResponse } from '../errors';
import { type AppDeps, type Env, jsonBody } from '../request';

const NO_PUSH = err('unavailable', 'push notifications are not available on this server');

export function pushRoutes(deps: AppDeps) {
  const { store, push } = deps;
  return new Hono<Env>()
    .get('/push/key', (c) => (push ? c.json({ publicKey: push.publicKey } satisfies PushKey, 200) : errorResponse(c, NO_PUSH)))
    .post('/push/subscriptions', jsonBody(pushSubscriptionSchema), async (c) => {
      if (!push) return errorResponse(c, NO_PUSH);
      const { endpoint, keys } = c.req.valid('json');
      const refusal = endpointRefusal(endpoint, push.config.endpoints);
      if (refusal) return errorResponse(c, err('invalid', refusal));
      if (!isP256Point(keys.p256dh)) return errorResponse(c, err('invalid', 'keys.p256dh must be a P-256 public key'));
      const session = c.get('session');
      await push.store.saveSubscription({ sessionId: session.id, userId: session.userId, endpoint, ...keys }, Date.now());
      push.subscribed();
      return c.json({ ok: true as const }, 201);
    })
    .delete('/push/subscriptions', async (c) => {
      if (!push) return errorResponse(c, NO_PUSH);
      const deleted = await push.store.deleteSubscription(c.get('session').id);
      return c.json({ deleted }, 200);
    })
    .get('/rooms/:room/notifications', async (c) => {
      if (!push) return errorResponse(c, NO_PUSH);
      const room = parsePayload(roomIdSchema, c.req.param('room'));
      if (!room.ok) return errorResponse(c, room.error);
      if ((await accessTo(store, c.get('user').id, room.value)) !== 'member')
        return errorResponse(c, err('forbidden', `you are not in ${room.value}`));
      const level = await push.store.levelOf(c.get('user').id, room.value);
      return c.json(
        { room: room.value, level: level ?? defaultLevel(room.value), isDefault: level === null } satisfies RoomNotifications,
        200,
      );
    })
    .put('/rooms/:room/notifications', jsonBody(notificationLevelBodySchema), async (c) => {
      if (!push) return errorResponse(c, NO_PUSH);
      const room = parsePayload(roomIdSchema, c.req.param('room'));
      if (!room.ok) return errorResponse(c, room.error);
      if ((await accessTo(store, c.get('user').id, room.value)) !== 'member')
        return errorResponse(c, err('forbidden', `you are not in ${room.value}`));
      const { level } = c.req.valid('json');
      await push.store.setLevel(c.get('user').id, room.value, level);
      return c.json({ room: room.value, level, isDefault: false } satisfies RoomNotifications, 200);
    });
}
