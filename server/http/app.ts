/**
 * createApp(deps) -> the Hono app: identity, rooms and history over HTTP, the
 * health probe, and the built PWA. Testable in-process with `app.request()`.
 * The `/api` routes are chained so their types add up to `ApiRoutes`, which the
 * PWA calls through Hono's typed client (`hc<ApiRoutes>`).
 */
import type { HttpBindings } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type * as v from 'valibot';
import { BATCH_SIZE } from '../../shared/limits';
import type { DeviceSession, Message, RoomListing, SessionCreated, User } from '../../shared/protocol';
import { historyQuerySchema, parsePayload, postMessageBodySchema, roomIdSchema, sessionBodySchema } from '../../shared/schema';
import { accessTo } from '../chat/access';
import { overBudget, type Budgets } from '../chat/budgets';
import { clientAddress } from '../chat/client-address';
import { err, toErr } from '../chat/errors';
import { deviceName } from '../chat/device-name';
import { authenticate, hashToken, newSessionId, newToken, newUserId } from '../chat/identity';
import { listRooms } from '../chat/room-listing';
import { sendMessage, type SendDeps } from '../chat/send-message';
import type { Budget, Config } from '../config';
import type { SessionRecord } from '../store/store';
import { bearerToken, errorResponse } from './errors';
import { mountPwa } from './pwa';

export type AppDeps = SendDeps & {
  config: Pick<Config, 'origins' | 'staticDir' | 'sessionIdleMs' | 'trustProxy'>;
  /** Accounts per client address, and reads and changes per user (chat/budgets.ts). */
  budgets: Budgets;
  /** Tells live sockets and presence, on every worker, about a new display name. */
  renamed(user: User): void;
  /** Disconnects, on every worker, the sockets of a session that was just revoked. */
  revoked(sessionId: string): void;
};

/** `incoming` is Node's request under @hono/node-server; absent when the app is called in-process (tests). */
type Env = { Bindings: Partial<HttpBindings>; Variables: { user: User; session: SessionRecord } };

/** The caller's address, for per-address budgets. */
function addressOf(c: Context<Env>, trustProxy: boolean): string {
  return clientAddress(c.env?.incoming?.socket.remoteAddress, c.req.header('x-forwarded-for'), trustProxy);
}

/** 429 with Retry-After for a spent budget. */
function refused(c: Context<Env>, budget: Budget, retryAfterMs: number) {
  return errorResponse(c, err('rate_limited', overBudget(budget), retryAfterMs));
}

/**
 * Reads a JSON body and parses it with a shared schema. Only `application/json` is read
 * (415 otherwise): a web page elsewhere can post text/plain cross-origin without asking.
 */
async function readBody<S extends v.GenericSchema>(request: Request, schema: S) {
  if (!/^application\/json\s*(;|$)/i.test(request.headers.get('content-type') ?? '')) {
    return { ok: false as const, error: err('invalid', 'send the body as Content-Type: application/json'), status: 415 as const };
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return { ok: false as const, error: err('invalid', 'the body must be JSON'), status: undefined };
  }
  const parsed = parsePayload(schema, body);
  return parsed.ok ? parsed : { ...parsed, status: undefined };
}

/** A new session for this request's device. */
function newSession(request: Request) {
  const token = newToken();
  return {
    token,
    session: { id: newSessionId(), tokenHash: hashToken(token), device: deviceName(request.headers.get('user-agent') ?? undefined) },
  };
}

/** The `/api` routes, chained so the typed client sees every path, body and answer. */
function apiRoutes(deps: AppDeps) {
  const { store } = deps;
  return (
    new Hono<Env>()
      .use(async (c, next) => {
        // Answers carry tokens and private messages: never cached anywhere.
        c.header('Cache-Control', 'no-store');
        await next();
      })
      .post('/session', async (c) => {
        const rate = await deps.budgets.take('account', addressOf(c, deps.config.trustProxy));
        if (!rate.ok) return refused(c, 'account', rate.retryAfterMs);
        const body = await readBody(c.req.raw, sessionBodySchema);
        if (!body.ok) return errorResponse(c, body.error, body.status);
        const { token, session } = newSession(c.req.raw);
        const user: User = { id: newUserId(), name: body.value.name };
        await store.createUser(user, session);
        return c.json({ token, user } satisfies SessionCreated, 201);
      })
      // Everything below needs a live session.
      .use(async (c, next) => {
        const found = await authenticate(store, bearerToken(c.req.header('Authorization')), deps.config.sessionIdleMs);
        if (!found)
          return errorResponse(c, { code: 'unauthorized', message: 'missing, unknown or expired bearer token; POST /api/session for one' });
        c.set('user', found.user);
        c.set('session', found.session);
        // Posting a message pays from the send budget, in the send path; everything else is an action.
        if (!(c.req.method === 'POST' && /\/messages$/.test(c.req.path))) {
          const rate = await deps.budgets.take('action', found.user.id);
          if (!rate.ok) return refused(c, 'action', rate.retryAfterMs);
        }
        await next();
      })
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
      .patch('/me', async (c) => {
        const body = await readBody(c.req.raw, sessionBodySchema);
        if (!body.ok) return errorResponse(c, body.error, body.status);
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
        if (!body.ok) return errorResponse(c, body.error, body.status);
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

/** `work` run at most once per `ms`: callers within that time share its outcome. */
function lastingFor(ms: number, work: () => Promise<void>): () => Promise<void> {
  let last: { at: number; outcome: Promise<void> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= ms) last = { at: now, outcome: work() };
    return last.outcome;
  };
}

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

  // The probe writes to the store; anyone may call it, so the write happens at most once a second.
  const health = lastingFor(1000, () => store.checkHealth());
  app.get('/healthz', async (c) => {
    c.header('x-worker-pid', String(process.pid));
    c.header('Cache-Control', 'no-store');
    try {
      await health();
      return c.json({ ok: true });
    } catch (error) {
      return errorResponse(c, toErr(error));
    }
  });

  app.route('/api', apiRoutes(deps));
  mountPwa(app, deps.config.staticDir);
  return app;
}
