/**
 * The PWA tells the server when it goes to the background (`app:visibility`): a phone whose app
 * is open gets no push for a mention, the same phone with the app hidden does (#16).
 */
import { describe, expect, it } from 'vitest';
import type { PushPayload } from '../../shared/push';
import { createSession } from '../support/clients';
import { useFakePushService } from './support/fake-push';
import { claimHandle, expectOk, post, queueSettled, subscribe } from '../support/push-clients';
import { join, launchBrowser, phoneContext, waitForOnline } from './support/browser';
import { storedSession } from './support/device';
import { useServer } from './support/server-fixture';

const fake = useFakePushService();

describe('the app in the background', () => {
  const server = useServer(() => ({ env: { CHAT_PUSH_ENDPOINTS: fake().origin } }));

  it('gets pushes only while hidden', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    await join(page, 'Bob');
    // The app is open only once its socket is: a mention before that may rightly be pushed.
    await waitForOnline(page);
    const bob = await storedSession(page);
    await claimHandle(server().url, bob.token, 'bob');
    // The device's subscription, as the browser would send it (the push service is the test's fake).
    await expectOk(subscribe(server().url, bob.token, fake().subscriber('phone').subscription), 201);

    // Cy has a subscribed device and no app open: the fan-out of a message that mentions both
    // pushes to Cy only, and Cy's push arriving shows that fan-out (its "who has the app open"
    // included) is over, while Bob's app was still on screen. (Waiting for an empty queue was
    // not enough: the job may not be queued yet when the post is answered.)
    const cy = await createSession(server().url, 'Cy');
    await claimHandle(server().url, cy.token, 'cyd');
    await expectOk(subscribe(server().url, cy.token, fake().subscriber('cy-phone').subscription), 201);
    const ana = await createSession(server().url, 'Ana');
    await post(server().url, ana.token, 'general', 'seen on screen @bob @cyd');
    await expect.poll(() => fake().received.map((push) => push.subscriber), { timeout: 15_000 }).toContain('cy-phone');
    await queueSettled(server().dbPath);
    expect(fake().received.filter((push) => push.subscriber === 'phone')).toHaveLength(0);
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    // The event's arrival is not observable: mention Bob until a push comes (the first or a later one).
    await expect
      .poll(
        async () => {
          await post(server().url, ana.token, 'general', `in the background @bob ${Date.now()}`);
          return fake().received.filter((push) => push.subscriber === 'phone').length;
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    await queueSettled(server().dbPath);
    const contents = fake()
      .received.filter((push) => push.subscriber === 'phone')
      .map((push) => (push.payload as PushPayload & { kind: 'message' }).message.content);
    expect(contents.some((content) => content.startsWith('in the background @bob'))).toBe(true);
    expect(contents).not.toContain('seen on screen @bob @cyd');
    await context.close();
  });
});
