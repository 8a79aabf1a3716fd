/**
 * createApp(deps) -> the Hono app: identity, rooms and history over HTTP, the
 * health probe, and the built PWA. Testable in-process with `app.request()`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type * as v from 'valibot';
import { BATCH_SIZE } from '../shared/limits';
import type { SessionCreated, User } from '../shared/protocol';
import { historyQuerySchema, parsePayload, postMessageBodySchema, roomIdSchema, sessionBodySchema } from '../shared/schema';
import { authenticate, bearerToken, hashToken, newToken, newUserId } from './auth';
import { accessTo } from './chat/access';
import { listRooms } from './chat/room-listing';
import { err, toErr } from './chat/errors';
import { sendMessage, type SendDeps } from './chat/send-message';
import type { Config } from './config';
import { errorResponse } from './http-errors';

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

export function createApp(deps: AppDeps) {
  const { store } = deps;
  const app = new Hono<Env>();

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
      return c.json({ ok: true });
    } catch (error) {
      return errorResponse(c, toErr(error));
    }
  });

  app.post('/api/session', async (c) => {
    const body = await readBody(c.req.raw, sessionBodySchema);
    if (!body.ok) return errorResponse(c, body.error);
    const token = newToken();
    const user: User = { id: newUserId(), name: body.value.name };
    await store.createUser(user, hashToken(token));
    return c.json<SessionCreated>({ token, user }, 201);
  });

  app.use('/api/*', async (c, next) => {
    const user = await authenticate(store, bearerToken(c.req.header('Authorization')));
    if (!user) return errorResponse(c, { code: 'unauthorized', message: 'missing or unknown bearer token; POST /api/session for one' });
    c.set('user', user);
    c.header('Cache-Control', 'no-store');
    await next();
  });

  app.get('/api/me', (c) => c.json({ user: c.get('user') }));

  // Extension: change one's display name; sockets and presence follow at once.
  app.patch('/api/me', async (c) => {
    const body = await readBody(c.req.raw, sessionBodySchema);
    if (!body.ok) return errorResponse(c, body.error);
    const user: User = { id: c.get('user').id, name: body.value.name };
    await store.renameUser(user.id, user.name);
    deps.renamed(user);
    return c.json({ user });
  });

  app.get('/api/rooms', async (c) => c.json({ rooms: await listRooms(store, c.get('user').id) }));

  app.get('/api/rooms/:room/messages', async (c) => {
    const room = parsePayload(roomIdSchema, c.req.param('room'));
    if (!room.ok) return errorResponse(c, room.error);
    const query = parsePayload(historyQuerySchema, c.req.query());
    if (!query.ok) return errorResponse(c, query.error);
    if ((await accessTo(store, c.get('user').id, room.value)) === 'forbidden') {
      return errorResponse(c, err('forbidden', 'you may not read that conversation'));
    }
    const limit = Math.min(Math.max(query.value.limit, 1), BATCH_SIZE);
    return c.json({ messages: await store.messagesAfter(room.value, query.value.after, limit) });
  });

  app.post('/api/rooms/:room/messages', async (c) => {
    const room = parsePayload(roomIdSchema, c.req.param('room'));
    if (!room.ok) return errorResponse(c, room.error);
    const body = await readBody(c.req.raw, postMessageBodySchema);
    if (!body.ok) return errorResponse(c, body.error);
    const outcome = await sendMessage(deps, c.get('user'), { room: room.value, ...body.value });
    if (!outcome.ok) return errorResponse(c, outcome.error);
    return c.json({ message: outcome.message }, outcome.created ? 201 : 200);
  });

  app.all('/api/*', (c) => errorResponse(c, err('not_found', `no route ${c.req.method} ${c.req.path}`)));

  mountPwa(app, deps.config.staticDir);
  return app;
}

/**
 * Serves the built PWA: hashed assets cached for a year, the service worker and
 * the shell revalidated every time, and unknown paths answered with the shell.
 */
function mountPwa(app: Hono<Env>, staticDir: string): void {
  const indexPath = join(staticDir, 'index.html');
  if (existsSync(staticDir))
    app.use(
      '*',
      serveStatic({
        root: staticDir,
        onFound: (path, c) => {
          const immutable = path.includes('/assets/');
          c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
  app.get('*', (c) => {
    if (!existsSync(indexPath)) return c.text('The PWA is not built yet: run `npm run build` (npm start does it for you).', 404);
    c.header('Cache-Control', 'no-cache');
    return c.html(readFileSync(indexPath, 'utf8'));
  });
}
