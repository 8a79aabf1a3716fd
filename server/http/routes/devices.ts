/** Adding a device without a passkey: a signed-in device makes a one-time code, the new one redeems it. */
import { Hono } from 'hono';
import type { DeviceLink, SessionCreated } from '../../../shared/protocol';
import { redeemBodySchema } from '../../../shared/schema';
import { createLink, redeemLink } from '../../chat/device-links';
import { errorResponse } from '../errors';
import { type AppDeps, type Env, addressOf, jsonBody, newSession, publicOrigin, refused } from '../request';

export function openDeviceRoutes(deps: AppDeps) {
  const { store } = deps;
  return new Hono<Env>().post('/devices/redeem', jsonBody(redeemBodySchema), async (c) => {
    // Every guess costs from the address's account budget: 40 bits of code stay out of reach.
    const rate = await deps.budgets.take('account', addressOf(c, deps.config.trustProxy));
    if (!rate.ok) return refused(c, 'account', rate.retryAfterMs);
    const userId = await redeemLink(store, c.req.valid('json').code);
    const user = userId ? await store.userById(userId) : null;
    if (!user)
      return errorResponse(c, { code: 'unauthorized', message: 'this code is wrong, used or expired; ask the other device for a new one' });
    const { token, session } = newSession(c);
    await store.createSession(user.id, session);
    return c.json({ token, user } satisfies SessionCreated, 200);
  });
}

export function deviceRoutes(deps: AppDeps) {
  return new Hono<Env>().post('/devices/link', async (c) => {
    const link: DeviceLink = await createLink(deps.store, c.get('user').id, publicOrigin(c, deps.config));
    return c.json(link, 201);
  });
}
