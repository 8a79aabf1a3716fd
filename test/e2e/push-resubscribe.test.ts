/**
 * `pushsubscriptionchange` in the service worker (#16): the push service replaced the device's
 * subscription; the worker hands the new one to the server by itself, and pushes reach it there.
 * Chromium here cannot reach a real push service, so the event is dispatched inside the worker
 * with the new subscription the test's loopback push service issued.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { PushPayload } from '../../shared/push';
import { createSession } from '../support/clients';
import { useFakePushService } from './support/fake-push';
import { claimHandle, expectOk, post, queueSettled, subscribe } from '../support/push-clients';
import { join, launchBrowser, phoneContext } from './support/browser';
import { storedSession } from './support/device';
import { useServer } from './support/server-fixture';

function storedEndpoints(dbPath: string): string[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[], { endpoint: string }>('SELECT endpoint FROM push_subscriptions')
      .all()
      .map((row) => row.endpoint);
  } finally {
    db.close();
  }
}

const fake = useFakePushService();

describe('a subscription the push service replaced', () => {
  const server = useServer(() => ({ env: { CHAT_PUSH_ENDPOINTS: fake().origin } }));

  it('is renewed by the service worker, and pushes go to the new one only', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    await join(page, 'Bob');
    const bob = await storedSession(page);
    await claimHandle(server().url, bob.token, 'bob');
    await expectOk(subscribe(server().url, bob.token, fake().subscriber('old').subscription), 201);

    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const renewed = fake().subscriber('new').subscription;
    await worker.evaluate((subscription) => {
      const event = new ExtendableEvent('pushsubscriptionchange');
      Object.defineProperty(event, 'oldSubscription', { value: null });
      Object.defineProperty(event, 'newSubscription', { value: { toJSON: () => subscription } });
      self.dispatchEvent(event);
    }, renewed);

    // The worker renews in the background (a read, then a request): the server holds the new endpoint.
    await expect.poll(() => storedEndpoints(server().dbPath), { timeout: 10_000 }).toEqual([renewed.endpoint]);
    // The app goes away: from now on Bob is reached by push only, at whichever endpoint the server holds.
    await page.close();
    const ana = await createSession(server().url, 'Ana');
    await expect
      .poll(
        async () => {
          await post(server().url, ana.token, 'general', `after the renewal @bob ${Date.now()}`);
          await queueSettled(server().dbPath);
          return fake().received.length;
        },
        { timeout: 20_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    expect(new Set(fake().received.map((push) => push.subscriber))).toEqual(new Set(['new']));
    expect((fake().received[0]?.payload as PushPayload & { kind: 'message' }).message.content).toMatch(/^after the renewal @bob/);
    expect(fake().requests.get('old') ?? 0).toBe(0);
    await context.close();
  });
});
