/** Passkeys: register one for this account, list and remove them, and sign in with one on any device. */
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { Hono } from 'hono';
import type { PasskeyInfo, SessionCreated } from '../../../shared/protocol';
import { authenticationResponseSchema, registrationResponseSchema } from '../../../shared/schema';
import { deviceName } from '../../chat/device-name';
import { err } from '../../chat/errors';
import type { PasskeyRecord } from '../../store/store';
import { errorResponse } from '../errors';
import { type AppDeps, type Env, addressOf, jsonBody, newSession, refused, relyingParty } from '../request';

const info = (passkey: PasskeyRecord): PasskeyInfo => ({
  id: passkey.id,
  device: passkey.device,
  createdAt: passkey.createdAt,
  lastUsedAt: passkey.lastUsedAt,
});

/**
 * The WebAuthn library (certificate and CBOR parsers) is loaded on first use, not at start:
 * most workers never see a passkey, and it would cost each of them megabytes of memory.
 */
const passkeys = () => import('../../chat/passkeys');

/** Signing in with a passkey needs no token: it returns one, like POST /api/session. */
export function openPasskeyRoutes(deps: AppDeps) {
  const { store } = deps;
  return new Hono<Env>()
    .post('/passkeys/login/options', async (c) => {
      const rate = await deps.budgets.take('account', addressOf(c, deps.config.trustProxy));
      if (!rate.ok) return refused(c, 'account', rate.retryAfterMs);
      return c.json(await (await passkeys()).loginOptions(store, relyingParty(c, deps.config)), 200);
    })
    .post('/passkeys/login/verify', jsonBody(authenticationResponseSchema), async (c) => {
      const rate = await deps.budgets.take('account', addressOf(c, deps.config.trustProxy));
      if (!rate.ok) return refused(c, 'account', rate.retryAfterMs);
      const outcome = await (
        await passkeys()
      ).verifyLogin(store, relyingParty(c, deps.config), c.req.valid('json') as AuthenticationResponseJSON);
      if (!outcome.ok) return errorResponse(c, { code: 'unauthorized', message: outcome.reason });
      const user = await store.userById(outcome.value);
      if (!user) return errorResponse(c, { code: 'unauthorized', message: 'this account no longer exists' });
      const { token, session } = newSession(c);
      await store.createSession(user.id, session);
      return c.json({ token, user } satisfies SessionCreated, 200);
    });
}

export function passkeyRoutes(deps: AppDeps) {
  const { store } = deps;
  return new Hono<Env>()
    .post('/passkeys/register/options', async (c) =>
      c.json(await (await passkeys()).registrationOptions(store, relyingParty(c, deps.config), c.get('user')), 200),
    )
    .post('/passkeys/register/verify', jsonBody(registrationResponseSchema), async (c) => {
      const response = c.req.valid('json') as RegistrationResponseJSON;
      const outcome = await (
        await passkeys()
      ).verifyRegistration(store, relyingParty(c, deps.config), c.get('user'), response, deviceName(c.req.header('user-agent')));
      if (!outcome.ok) return errorResponse(c, err('invalid', outcome.reason));
      return c.json({ passkey: info(outcome.value) }, 201);
    })
    .get('/passkeys', async (c) => c.json({ passkeys: (await store.passkeysOf(c.get('user').id)).map(info) }, 200))
    .delete('/passkeys/:id', async (c) => {
      if (!(await store.removePasskey(c.get('user').id, c.req.param('id')))) return errorResponse(c, err('not_found', 'no such passkey'));
      return c.body(null, 204);
    });
}
