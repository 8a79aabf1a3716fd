/**
 * createApp(deps) -> the Hono app: identity, rooms and history over HTTP, the
 * health probe, and the built PWA. Testable in-process with `app.request()`.
 * The `/api` routes are chained so their types add up to `ApiRoutes`, which the
 * PWA calls through Hono's typed client (`hc<ApiRoutes>`).
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type * as v from 'valibot';
import { BATCH_SIZE } from '../../shared/limits';
import type { Message, RoomListing, SessionCreated, User } from '../../shared/protocol';
import { historyQuerySchema, parsePayload, postMessageBodySchema, roomIdSchema, sessionBodySchema } from '../../shared/schema';
import { accessTo } from '../chat/access';
import { err, toErr } from '../chat/errors';
import { authenticate, hashToken, newToken, newUserId } from '../chat/identity';
import { listRooms } from '../chat/room-listing';
import { sendMessage, type SendDeps } from '../chat/send-message';
import type { Config } from '../config';
import { bearerToken, errorResponse } from './errors';
import { mountPwa } from './pwa';

export type AppDeps = SendDeps & {
  config: Pick<Config, 'origins' | 'staticDir'>;
  /** Tells live sockets and presence, on every worker, about a new display name. */
  renamed(user: User): void;
};

type Env = { Variables: { user: User } };

/** Reads a JSON body and parses it with a shared schema; a non-JSON body is `invalid` too. */
async function readBody<S extends v.GenericSchema>(request: Request, schema: S) {
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return { ok: false as const, error: err('invalid', 'the body must be JSON') };
  }
  return parsePayload(schema, body);
}

/** The `/api` routes, chained so the typed client sees every path, body and answer. */
function apiRoutes(deps: AppDeps) {
  const { store } = deps;
  return (
    new Hono<Env>()
      .post('/session', async (c) => {
        const body = await readBody(c.req.raw, sessionBodySchema);
        if (!body.ok) return errorResponse(c, body.error);
        const token = newToken();
        const user: User = { id: newUserId(), name: body.value.name };
        await store.createUser(user, hashToken(token));
        return c.json({ token, user } satisfies SessionCreated, 201);
      })
      // Everything below needs a known bearer token.
      .use(async (c, next) => {
        const user = await authenticate(store, bearerToken(c.req.header('Authorization')));
        if (!user) return errorResponse(c, { code: 'unauthorized', message: 'missing or unknown bearer token; POST /api/session for one' });
        c.set('user', user);
        c.header('Cache-Control', 'no-store');
        await next();
      })
      .get('/me', (c) => c.json({ user: c.get('user') }, 200))
      // Extension: change one's display name; sockets and presence follow at once.
      .patch('/me', async (c) => {
        const body = await readBody(c.req.raw, sessionBodySchema);
        if (!body.ok) return errorResponse(c, body.error);
        const user: User = { id: c.get('user').id, name: body.value.name };
        await store.renameUser(user.id, user.name);
        deps.renamed(user);
        return c.json({ user }, 200);
      })
      .get('/rooms', async (c) => c.json({ rooms: (await listRooms(store, c.get('user').id)) satisfies RoomListing[] }, 200))
      .get('/rooms/:room/messages', async (c) => {
        const room = parsePayload(roomIdSchema, c.req.param('room'));
        if (!room.ok) return errorResponse(c, room.error);
        const query = parsePayload(historyQuerySchema, c.req.query());
        if (!query.ok) return errorResponse(c, query.error);
        if ((await accessTo(store, c.get('user').id, room.value)) === 'forbidden') {
          return errorResponse(c, err('forbidden', 'you may not read that conversation'));
        }
        const limit = Math.min(Math.max(query.value.limit, 1), BATCH_SIZE);
        const messages: Message[] = await store.messagesAfter(room.value, query.value.after, limit);
        return c.json({ messages }, 200);
      })
      .post('/rooms/:room/messages', async (c) => {
        const room = parsePayload(roomIdSchema, c.req.param('room'));
        if (!room.ok) return errorResponse(c, room.error);
        const body = await readBody(c.req.raw, postMessageBodySchema);
        if (!body.ok) return errorResponse(c, body.error);
        const outcome = await sendMessage(deps, c.get('user'), { room: room.value, ...body.value });
        if (!outcome.ok) return errorResponse(c, outcome.error);
        const message: Message = outcome.message;
        return outcome.created ? c.json({ message }, 201) : c.json({ message }, 200);
      })
      .all('*', (c) => errorResponse(c, err('not_found', `no route ${c.req.method} ${c.req.path}`)))
  );
}

/** What the PWA's typed client (`hc<ApiRoutes>('/api')`) knows of the HTTP API. */
export type ApiRoutes = ReturnType<typeof apiRoutes>;

export function createApp(deps: AppDeps) {
  const { store } = deps;
  const app = new Hono();

  app.use(
    '*',
    secureHeaders({
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: false,
      // Messages are rendered as text, never HTML; this is the second line of defence.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", ...deps.config.origins],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );
  if (deps.config.origins.length > 0)
    app.use('/api/*', cors({ origin: deps.config.origins, allowHeaders: ['Authorization', 'Content-Type'] }));
  app.use('/api/*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => errorResponse(c, err('too_long', 'the body is larger than 64 KiB')) }));
  app.onError((error, c) => errorResponse(c, toErr(error)));

  app.get('/healthz', async (c) => {
    c.header('x-worker-pid', String(process.pid));
    c.header('Cache-Control', 'no-store');
    try {
      await store.checkHealth();
      // What this worker's SQLite connections really do, read back from them (tests hold it to synchronous=FULL).
      return c.json({ ok: true, durability: store.durability() });
    } catch (error) {
      return errorResponse(c, toErr(error));
    }
  });

  app.route('/api', apiRoutes(deps));
  mountPwa(app, deps.config.staticDir);
  return app;
}
