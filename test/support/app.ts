/**
 * The Hono app (server/http/app.ts) on a real SQLite store in a temp dir, for
 * in-process HTTP tests through `app.request()`: no socket, no process.
 */
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Message, SessionCreated, User } from '../../shared/protocol';
import { createLocalBudgets, limiterOf } from '../../server/chat/budgets';
import { readConfig } from '../../server/config';
import { createApp } from '../../server/http/app';
import { openSqliteStore } from '../../server/store/sqlite';
import type { Store } from '../../server/store/store';
import { tempDir } from './server';

export type TestApp = {
  app: ReturnType<typeof createApp>;
  store: Store;
  /** Every message the app published, in order. */
  published: Message[];
  /** Every rename the app announced. */
  renamed: User[];
  /** A new session, as a client would get it. */
  session(name: string): Promise<SessionCreated>;
  /** A request with `Authorization: Bearer <token>` and, for a body, JSON. */
  call(method: string, path: string, token: string, body?: unknown): Promise<Response>;
};

/** Opens the app before the file's tests and closes its store and temp dir after them. */
export function useTestApp(): () => TestApp {
  const dir = tempDir('chat-app-');
  let testApp: TestApp | undefined;
  beforeAll(() => {
    const store = openSqliteStore(join(dir.path, 'chat.db'));
    const published: Message[] = [];
    const renamed: User[] = [];
    const config = readConfig({ CHAT_RATE_LIMIT: '0', CHAT_STATIC_DIR: join(dir.path, 'no-pwa') });
    const budgets = createLocalBudgets(config.budgets);
    const app = createApp({
      store,
      limiter: limiterOf(budgets, 'send'),
      budgets,
      publish: (message) => published.push(message),
      publishChange: () => undefined,
      userUpdated: (user) => renamed.push(user),
      revoked: () => undefined,
      config,
    });
    const call = async (method: string, path: string, token: string, body?: unknown) =>
      app.request(path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
    const session = async (name: string) => {
      const response = await app.request('/api/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      if (response.status !== 201) throw new Error(`POST /api/session answered ${response.status}`);
      return (await response.json()) as SessionCreated;
    };
    testApp = { app, store, published, renamed, session, call };
  });
  afterAll(async () => {
    try {
      await testApp?.store.close();
    } finally {
      dir.remove();
    }
  });
  return () => {
    if (!testApp) throw new Error('the app did not open');
    return testApp;
  };
}
