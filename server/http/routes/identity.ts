/** Who you are: creating an account, your profile and @handle, and the account's signed-in devices (sessions). */
import { Hono } from 'hono';
import type { DeviceSession, SessionCreated, User } from '../../../shared/protocol';
import { handleBodySchema, sessionBodySchema, settingsBodySchema } from '../../../shared/schema';
import { err } from '../../chat/errors';
import { claimHandle } from '../../chat/handles';
import { newUserId } from '../../chat/identity';
import { errorResponse } from '../errors';
import { type AppDeps, type Env, addressOf, jsonBody, newSession, refused } from '../request';

/** Routes anyone may call. */
export function openIdentityRoutes(deps: AppDeps) {
  return new Hono<Env>().post('/session', jsonBody(sessionBodySchema), async (c) => {
    const rate = await deps.budgets.take('account', addressOf(c, deps.config.trustProxy));
    if (!rate.ok) return refused(c, 'account', rate.retryAfterMs);
    const { token, session } = newSession(c);
    const user: User = { id: newUserId(), name: c.req.valid('json').name };
    await deps.store.createUser(user, session);
    return c.json({ token, user } satisfies SessionCreated, 201);
  });
}

/** Routes for a signed-in session. */
export function identityRoutes(deps: AppDeps) {
  const { store } = deps;
  return (
    new Hono<Env>()
      // Extension: sign this device out; its token stops working and its sockets close.
      .delete('/session', async (c) => {
        const session = c.get('session');
        await store.revokeSession(session.userId, session.id);
        deps.revoked(session.id);
        return c.body(null, 204);
      })
      // Extension: the account's signed-in devices, and signing one out.
      .get('/sessions', async (c) => {
        const current = c.get('session').id;
        const sessions = (await store.sessionsOf(c.get('user').id)).map((session): DeviceSession => ({
          id: session.id,
          device: session.device,
          createdAt: session.createdAt,
          lastSeenAt: session.lastSeenAt,
          current: session.id === current,
        }));
        return c.json({ sessions }, 200);
      })
      .delete('/sessions/:id', async (c) => {
        if (!(await store.revokeSession(c.get('user').id, c.req.param('id')))) return errorResponse(c, err('not_found', 'no such session'));
        deps.revoked(c.req.param('id'));
        return c.body(null, 204);
      })
      .get('/me', (c) => c.json({ user: c.get('user') }, 200))
      // Extension: change one's display name; sockets and presence follow at once.
      .patch('/me', jsonBody(sessionBodySchema), async (c) => {
        const user: User = { ...c.get('user'), name: c.req.valid('json').name };
        await store.renameUser(user.id, user.name);
        deps.userUpdated(user);
        return c.json({ user }, 200);
      })
      // Extension: personal settings, the same on every device.
      .put('/me/settings', jsonBody(settingsBodySchema), async (c) => {
        const { readReceipts } = c.req.valid('json');
        await store.setReadReceipts(c.get('user').id, readReceipts);
        return c.json({ settings: { readReceipts } }, 200);
      })
      // Extension: claim a unique @handle (case-insensitive); a taken one is 409.
      .put('/me/handle', jsonBody(handleBodySchema), async (c) => {
        const { handle } = c.req.valid('json');
        const claim = await claimHandle(store, c.get('user').id, handle);
        if (!claim.ok) {
          const message = claim.reason === 'reserved' ? `@${handle} is reserved` : `@${handle} is taken; try another`;
          return errorResponse(c, { code: 'conflict', message });
        }
        const user: User = { ...c.get('user'), handle };
        deps.userUpdated(user);
        return c.json({ user }, 200);
      })
  );
}
