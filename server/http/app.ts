/**
 * createApp(deps) -> the Hono app: the /api routes (http/routes/, one file per
 * concern), the health probe, security headers, and the built PWA. Testable
 * in-process with `app.request()`. The /api routes are chained so their types
 * add up to `ApiRoutes`, which the PWA calls through Hono's typed client.
 */
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { err, toErr } from '../chat/errors';
import { authenticate } from '../chat/identity';
import { bearerToken, errorResponse, requestLog, withRequestId } from './errors';
import { inlineScriptSources, mountPwa } from './pwa';
import { METRICS_CONTENT_TYPE } from '../observe/metrics';
import { refused, type AppDeps, type Env } from './request';

export type { AppDeps } from './request';
import { deviceRoutes, openDeviceRoutes } from './routes/devices';
import { identityRoutes, openIdentityRoutes } from './routes/identity';
import { openPasskeyRoutes, passkeyRoutes } from './routes/passkeys';
import { pushRoutes } from './routes/push';
import { roomRoutes } from './routes/rooms';
import { searchRoutes } from './routes/search';
import { attachmentRoutes } from './routes/attachments';
import { uploadRoutes } from './routes/uploads';

/**
 * Requests that do not cost from the `action` budget: a send pays from `send`; an upload's chunks
 * are bounded by its creation (which pays) and its size; attachment reads are what a timeline of
 * photos loads at once.
 */
function freeOfActionBudget(method: string, path: string): boolean {
  if (method === 'POST' && /\/messages$/.test(path)) return true;
  if ((method === 'PATCH' || method === 'HEAD') && path.startsWith('/api/uploads/')) return true;
  return (method === 'GET' || method === 'HEAD') && path.startsWith('/api/attachments/');
}

/** The `/api` routes: those anyone may call, then the session check, then the rest. */
function apiRoutes(deps: AppDeps) {
  const { store } = deps;
  return (
    new Hono<Env>()
      .use(async (c, next) => {
        // Answers carry tokens and private messages: never cached anywhere.
        c.header('Cache-Control', 'no-store');
        await next();
      })
      .route('/', openIdentityRoutes(deps))
      .route('/', openPasskeyRoutes(deps))
      .route('/', openDeviceRoutes(deps))
      // Everything below needs a live session.
      .use(async (c, next) => {
        const found = await authenticate(store, bearerToken(c.req.header('Authorization')), deps.config.sessionIdleMs);
        if (!found)
          return errorResponse(c, { code: 'unauthorized', message: 'missing, unknown or expired bearer token; POST /api/session for one' });
        c.set('user', found.user);
        c.set('session', found.session);
        // Posting a message pays from the send budget, in the send path; everything else is an action,
        // except the chunks of an upload and the reads of attachments (a timeline of photos is dozens).
        if (!freeOfActionBudget(c.req.method, c.req.path)) {
          const rate = await deps.budgets.take('action', found.user.id);
          if (!rate.ok) return refused(c, 'action', rate.retryAfterMs);
        }
        await next();
      })
      .route('/', identityRoutes(deps))
      .route('/', roomRoutes(deps))
      .route('/', passkeyRoutes(deps))
      .route('/', deviceRoutes(deps))
      .route('/', searchRoutes(deps))
      .route('/', pushRoutes(deps))
      .route('/', uploadRoutes(deps))
      .route('/', attachmentRoutes(deps))
      .all('*', (c) => errorResponse(c, err('not_found', `no route ${c.req.method} ${c.req.path}`)))
  );
}

/** What the PWA's typed client (`hc<ApiRoutes>('/api')`) knows of the HTTP API. */
export type ApiRoutes = ReturnType<typeof apiRoutes>;

function sameSecret(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

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

  app.use('*', withRequestId);
  app.use(
    '*',
    secureHeaders({
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: false,
      // A route that sets its own (attachments: `default-src 'none'; sandbox`) keeps it.
      overwrite: false,
      // Messages are rendered as text, never HTML; this is the second line of defence.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...inlineScriptSources(deps.config.staticDir)],
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
    app.use(
      '/api/*',
      cors({
        origin: deps.config.origins,
        // tus (uploads) and ranged, cached attachment reads need their own headers both ways.
        allowHeaders: [
          'Authorization',
          'Content-Type',
          'Tus-Resumable',
          'Upload-Length',
          'Upload-Metadata',
          'Upload-Offset',
          'Range',
          'If-None-Match',
        ],
        exposeHeaders: [
          'Location',
          'Tus-Resumable',
          'Upload-Offset',
          'Upload-Length',
          'Upload-Expires',
          'Content-Range',
          'Content-Disposition',
          'ETag',
        ],
      }),
    );
  const jsonBodyLimit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => errorResponse(c, err('too_long', 'the body is larger than 64 KiB')),
  });
  // Upload chunks are bounded by tus itself (the upload's declared length, CHAT_ATTACHMENT_MAX_BYTES).
  app.use('/api/*', (c, next) => (c.req.path.startsWith('/api/uploads') ? next() : jsonBodyLimit(c, next)));
  app.onError((error, c) => {
    // Hono's own refusals (a malformed JSON body) are the client's: 400, not a server fault.
    if (error instanceof HTTPException && error.status < 500) return errorResponse(c, err('invalid', error.message));
    return errorResponse(c, toErr(error, requestLog(c), `${c.req.method} ${c.req.routePath}`));
  });

  // The probe writes to the store; anyone may call it, so the write happens at most once a second.
  const health = lastingFor(1000, () => store.checkHealth());
  app.get('/healthz', async (c) => {
    c.header('x-worker-pid', String(process.pid));
    c.header('Cache-Control', 'no-store');
    try {
      await health();
      // What this process really runs with, read back, so a benchmark or a test can check it instead of assuming it.
      const { databaseUrl, sqliteSync, workers, rateLimit } = deps.config;
      const storeKind = databaseUrl ? 'postgres' : 'sqlite';
      return c.json({
        ok: true,
        store: storeKind,
        sqliteSync: databaseUrl ? null : sqliteSync,
        workers,
        rateLimit,
        durability: store.durability(),
      });
    } catch (error) {
      return errorResponse(c, toErr(error, requestLog(c), 'healthz'));
    }
  });

  app.get('/metrics', async (c) => {
    const token = deps.config.metricsToken;
    if (!token || !deps.metricsText) return errorResponse(c, err('not_found', 'no route GET /metrics'));
    if (!sameSecret(bearerToken(c.req.header('Authorization')) ?? '', token))
      return errorResponse(c, { code: 'unauthorized', message: 'a bearer token is required' });
    c.header('Cache-Control', 'no-store');
    return c.body(await deps.metricsText(), 200, { 'Content-Type': METRICS_CONTENT_TYPE });
  });

  app.route('/api', apiRoutes(deps));
  mountPwa(app, deps.config.staticDir);
  return app;
}
