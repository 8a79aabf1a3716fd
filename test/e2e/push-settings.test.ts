/**
 * The PWA's side of Web Push (#16) in real Chromium: "Turn on notifications" asks only on a tap and
 * hands the subscription to the server (which then pushes a mention to the fake push service),
 * "Turn off" takes it back; a blocked permission says where to allow it; an iPhone tab is first
 * shown how to add the app to the Home Screen; a room's level is changed and read back after a
 * reload; @ opens the autocomplete; a mention of us is highlighted and counted in the rooms list;
 * and a tapped notification opens its message.
 *
 * The one stand-in: the browser's own push service. Headless Chromium has no Google push service
 * to register with, so `PushManager.subscribe` answers with the fake push service's subscription
 * (as Chrome answers with an FCM one); the permission, the service worker, the HTTP calls and the
 * pushes themselves are real.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { PushPayload } from '../../shared/push';
import { createSession } from '../support/clients';
import type { Subscriber } from '../support/fake-push-service';
import { useFakePushService } from './support/fake-push';
import { claimHandle, post, subscriptionCount } from '../support/push-clients';
import { axeViolations } from './support/axe';
import { join, launchBrowser, messageWith, phoneContext } from './support/browser';
import { storedSession } from './support/device';
import { screenshotLightAndDark } from './support/screens';
import { useServer } from './support/server-fixture';

const E2E_TIMEOUT_MS = 150_000;
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

const fake = useFakePushService();

type SubscribeCall = { userVisibleOnly: boolean; key: number[] };

/** The browser's push service, answered by the fake: what `subscribe` was asked, and a subscription that unsubscribes. */
async function fakeBrowserPushService(page: Page, subscriber: Subscriber): Promise<void> {
  await page.addInitScript((json) => {
    const calls: Array<{ userVisibleOnly: boolean; key: number[] }> = [];
    let current: PushSubscription | null = null;
    const made = () =>
      ({
        endpoint: json.endpoint,
        toJSON: () => json,
        unsubscribe: () => {
          current = null;
          return Promise.resolve(true);
        },
      }) as unknown as PushSubscription;
    Object.assign(window, { subscribeCalls: calls });
    PushManager.prototype.subscribe = function (options?: PushSubscriptionOptionsInit) {
      const key = options?.applicationServerKey;
      calls.push({
        userVisibleOnly: options?.userVisibleOnly === true,
        key: key instanceof Uint8Array ? Array.from(key as Uint8Array) : [],
      });
      current = made();
      return Promise.resolve(current);
    };
    PushManager.prototype.getSubscription = () => Promise.resolve(current);
  }, subscriber.subscription);
}

/** Records what the page asks of the app badge (headless Chromium has no icon to show it on). */
async function recordAppBadge(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const badge: Array<number | 'clear'> = [];
    Object.assign(window, { badgeCalls: badge });
    Navigator.prototype.setAppBadge = (count?: number) => {
      badge.push(count ?? 0);
      return Promise.resolve();
    };
    Navigator.prototype.clearAppBadge = () => {
      badge.push('clear');
      return Promise.resolve();
    };
  });
}
const lastBadge = (page: Page) => page.evaluate(() => (window as unknown as { badgeCalls: Array<number | 'clear'> }).badgeCalls.at(-1));

const subscribeCalls = (page: Page) => page.evaluate(() => (window as unknown as { subscribeCalls: SubscribeCall[] }).subscribeCalls);
const profile = (page: Page) => page.getByRole('dialog', { name: 'Your profile' });
const roomSettings = (page: Page) => page.getByRole('dialog', { name: /Settings for/ });
const roomChip = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: new RegExp(`^${name}`) });

async function hide(page: Page): Promise<void> {
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
}

describe('notifications in the app', () => {
  const server = useServer(() => ({ env: { CHAT_PUSH_ENDPOINTS: fake().origin } }));

  async function phone(browser: Browser, extra: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
    if (Object.keys(extra).length === 0) return phoneContext(browser, { baseURL: server().url });
    return browser.newContext({
      baseURL: server().url,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'en-GB',
      ...extra,
    });
  }

  it(
    'turns notifications on from a tap, pushes a mention to the device, and turns them off',
    async () => {
      const browser = await launchBrowser();
      const context = await phone(browser);
      await context.grantPermissions(['notifications'], { origin: server().url });
      const page = await context.newPage();
      await fakeBrowserPushService(page, fake().subscriber('bob-phone'));
      await join(page, 'Bob');
      const bob = await storedSession(page);
      // Never asked on load.
      expect(await subscribeCalls(page)).toEqual([]);

      await page.getByRole('button', { name: /Your profile/ }).click();
      const sheet = profile(page);
      await sheet.getByRole('heading', { name: 'Notifications on this device' }).waitFor();
      await screenshotLightAndDark(page, 'push-01-profile-off');
      expect(await axeViolations(page)).toEqual([]);
      await sheet.getByRole('button', { name: 'Turn on notifications' }).click();
      await sheet.getByRole('button', { name: 'Turn off notifications' }).waitFor();
      await screenshotLightAndDark(page, 'push-02-profile-on');

      // Subscribed with the server's VAPID key, and the server holds the subscription.
      const { publicKey } = (await (
        await fetch(`${server().url}/api/push/key`, { headers: { authorization: `Bearer ${bob.token}` } })
      ).json()) as {
        publicKey: string;
      };
      expect(await subscribeCalls(page)).toEqual([{ userVisibleOnly: true, key: [...Buffer.from(publicKey, 'base64url')] }]);
      expect(subscriptionCount(server().dbPath)).toBe(1);

      // The app goes to the background; a mention of Bob reaches the device through the push service.
      await hide(page);
      const ana = await createSession(server().url, 'Ana');
      await expect
        .poll(
          async () => {
            await post(server().url, ana.token, 'general', `@Bob are you there ${Date.now()}`);
            return fake().received.filter((push) => push.subscriber === 'bob-phone').length;
          },
          { timeout: 15_000, interval: 500 },
        )
        .toBeGreaterThan(0);
      const pushed = fake().received.find((push) => push.subscriber === 'bob-phone')?.payload as PushPayload & { kind: 'message' };
      expect(pushed).toMatchObject({ kind: 'message', mention: true, message: { room: 'general', author: { name: 'Ana' } } });

      // The server forgets the subscription (as it does with a session that ends); the browser keeps it.
      // Opening the settings again hands it over again.
      await fetch(`${server().url}/api/push/subscriptions`, { method: 'DELETE', headers: { authorization: `Bearer ${bob.token}` } });
      expect(subscriptionCount(server().dbPath)).toBe(0);
      await sheet.getByRole('button', { name: 'Close' }).click();
      await page.getByRole('button', { name: /Your profile/ }).click();
      await expect.poll(() => subscriptionCount(server().dbPath)).toBe(1);
      expect(await subscribeCalls(page)).toHaveLength(1);

      await sheet.getByRole('button', { name: 'Turn off notifications' }).click();
      await sheet.getByRole('button', { name: 'Turn on notifications' }).waitFor();
      expect(subscriptionCount(server().dbPath)).toBe(0);
      await context.close();
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'says where to allow blocked notifications, and shows an iPhone tab how to add the app first',
    async () => {
      const browser = await launchBrowser();
      const blocked = await phone(browser);
      const page = await blocked.newPage();
      await join(page, 'Dana');
      const cdp = await blocked.newCDPSession(page);
      // Playwright grants but never denies: the browser's own setting, for this page's browser context.
      const { targetInfo } = await cdp.send('Target.getTargetInfo');
      await cdp.send('Browser.setPermission', {
        permission: { name: 'notifications' },
        setting: 'denied',
        origin: server().url,
        browserContextId: targetInfo.browserContextId,
      });
      expect(await page.evaluate(() => Notification.permission)).toBe('denied');
      await page.getByRole('button', { name: 'Room settings' }).click();
      const sheet = roomSettings(page);
      await expect.poll(() => sheet.getByRole('status').filter({ hasText: 'Notifications are blocked' }).count()).toBe(1);
      expect(await sheet.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
      await screenshotLightAndDark(page, 'push-03-blocked');
      await blocked.close();

      const iphone = await phone(browser, { userAgent: IPHONE_SAFARI });
      const tab = await iphone.newPage();
      await join(tab, 'Eve');
      await tab.getByRole('button', { name: /Your profile/ }).click();
      const steps = profile(tab).getByRole('list').filter({ hasText: 'Add to Home Screen' });
      await steps.waitFor();
      expect(await steps.textContent()).toContain('Share');
      expect(await profile(tab).getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
      await profile(tab).getByRole('heading', { name: 'Notifications on this device' }).scrollIntoViewIfNeeded();
      await screenshotLightAndDark(tab, 'push-04-iphone-add-to-home-screen');
      expect(await axeViolations(tab)).toEqual([]);
      await iphone.close();
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'keeps a room level across a reload, completes @mentions, highlights and counts the ones naming us, keeps the app badge, and opens a tapped one',
    async () => {
      const ana = await createSession(server().url, 'Ana Lopez');
      await claimHandle(server().url, ana.token, 'ana');
      const cleo = await createSession(server().url, 'Cleo');
      // Both wrote in general, so Bob's device knows them as people of the room.
      await post(server().url, ana.token, 'general', 'morning all');
      await post(server().url, cleo.token, 'general', 'hi there');

      const browser = await launchBrowser();
      const context = await phone(browser);
      const page = await context.newPage();
      await recordAppBadge(page);
      await join(page, 'Bob');
      await messageWith(page, 'hi there').waitFor();

      // The room's level: the default marked and chosen, another saved, and still there after a reload.
      await page.getByRole('button', { name: 'Room settings' }).click();
      let sheet = roomSettings(page);
      const mentionsOnly = sheet.getByRole('radio', { name: /Mentions only \(default\)/ });
      await expect.poll(() => mentionsOnly.isChecked()).toBe(true);
      await screenshotLightAndDark(page, 'push-05-room-settings');
      expect(await axeViolations(page)).toEqual([]);
      await sheet.getByRole('radio', { name: /All messages/ }).check();
      await sheet.getByRole('status').filter({ hasText: 'Saved for all your devices.' }).waitFor();
      page.on('console', (m) => console.log('PAGE', m.text()));
      await page.reload();
      await page.getByRole('button', { name: 'Room settings' }).click();
      sheet = roomSettings(page);
      await expect.poll(() => sheet.getByRole('radio', { name: /All messages/ }).isChecked()).toBe(true);
      expect(await sheet.getByRole('radio', { name: /Mentions only \(default\)/ }).isChecked()).toBe(false);
      await sheet.getByRole('button', { name: 'Close' }).click();

      // @ then a few letters: the people who fit; a tap puts in the handle, Enter the name of one without.
      const box = page.getByRole('textbox', { name: 'Message', exact: true });
      await box.click();
      await box.pressSequentially('thanks @lo');
      const list = page.getByRole('listbox', { name: 'People to mention' });
      await list.getByRole('option', { name: /Ana Lopez/ }).waitFor();
      expect(await list.getByRole('option').allTextContents()).toEqual(['Ana Lopez@ana']);
      await screenshotLightAndDark(page, 'push-06-autocomplete');
      expect(await axeViolations(page)).toEqual([]);
      await list.getByRole('option', { name: /Ana Lopez/ }).click();
      await expect.poll(() => box.inputValue()).toBe('thanks @ana ');
      await box.pressSequentially('and @c');
      await list.getByRole('option', { name: /Cleo/ }).waitFor();
      expect(await box.getAttribute('aria-activedescendant')).toBe('mention-option-0');
      await box.press('Enter');
      await expect.poll(() => box.inputValue()).toBe('thanks @ana and @Cleo ');
      expect(await list.count()).toBe(0);
      await box.press('Enter');
      const sent = messageWith(page, 'thanks @ana and @Cleo');
      await expect.poll(() => sent.locator('.mention').allTextContents()).toEqual(['@ana', '@Cleo']);

      // Bob reads another room; Ana mentions him in general: counted apart from the unread.
      await page.getByRole('button', { name: 'Add room' }).click();
      await page.getByRole('textbox', { name: 'Room' }).fill('design');
      await page.getByRole('button', { name: 'Join room' }).click();
      await page.getByRole('heading', { name: '# design' }).waitFor();
      // A room one may leave: leaving is in its settings too.
      await page.getByRole('button', { name: 'Room settings' }).click();
      await expect
        .poll(() =>
          roomSettings(page)
            .getByRole('radio', { name: /Mentions only \(default\)/ })
            .isChecked(),
        )
        .toBe(true);
      await roomSettings(page).getByRole('button', { name: 'Leave design' }).waitFor();
      await screenshotLightAndDark(page, 'push-05-room-settings-leavable');
      await roomSettings(page).getByRole('button', { name: 'Close' }).click();
      await post(server().url, cleo.token, 'general', 'lunch?');
      const mention = await post(server().url, ana.token, 'general', '@Bob can you look at the @Cleo draft');
      await expect.poll(() => roomChip(page, 'general').textContent(), { timeout: 10_000 }).toMatch(/1 mention.*2 unread/);
      await screenshotLightAndDark(page, 'push-07-rooms-mention-count');
      // The app badge says the total unread.
      await expect.poll(() => lastBadge(page)).toBe(2);

      // A tapped notification (the service worker's OPEN_ROOM) opens general at that message, Bob's mention marked.
      await page.evaluate(
        ({ room, seq }) => navigator.serviceWorker.dispatchEvent(new MessageEvent('message', { data: { type: 'OPEN_ROOM', room, seq } })),
        { room: mention.room, seq: mention.seq },
      );
      await page.getByRole('heading', { name: '# general' }).waitFor();
      const focused = page.locator('[aria-current="true"]');
      await expect.poll(() => focused.getAttribute('data-seq')).toBe(String(mention.seq));
      await expect.poll(() => focused.locator('mark.mention-me').allTextContents()).toEqual(['@Bob']);
      expect(await focused.locator('.mention:not(mark)').allTextContents()).toEqual(['@Cleo']);
      await expect.poll(() => roomChip(page, 'general').textContent()).not.toMatch(/mention/);
      await expect.poll(() => lastBadge(page)).toBe('clear');
      await screenshotLightAndDark(page, 'push-08-mention-highlighted');
      expect(await axeViolations(page)).toEqual([]);

      // A window the service worker opens names the message in its address.
      await page.goto(`/?room=general&seq=${mention.seq}`);
      await expect.poll(() => page.locator('[aria-current="true"]').getAttribute('data-seq')).toBe(String(mention.seq));
      expect(new URL(page.url()).search).toBe('');
      await context.close();
    },
    E2E_TIMEOUT_MS,
  );

  it(
    'keeps a timeline at its bottom when the first mention arrives, though its marked text loads a moment later',
    async () => {
      const ana = await createSession(server().url, 'Ann');
      const browser = await launchBrowser();
      const context = await phone(browser);
      const page = await context.newPage();
      await join(page, 'Gus');
      for (let index = 0; index < 25; index++) await post(server().url, ana.token, 'general', `filler ${index}\nsecond line`);
      await messageWith(page, 'filler 24').waitFor();
      const gap = () =>
        page.locator('.scroller').evaluate((element) => Math.round(element.scrollHeight - element.scrollTop - element.clientHeight));
      await expect.poll(gap).toBeLessThan(8);
      // The first "@" this page shows: the chunk that marks mentions loads only now, after the timeline followed the bottom.
      const last = await post(server().url, ana.token, 'general', '@Gus one\n@Gus two\n@Gus three\n@Gus four');
      await expect.poll(() => page.locator(`[data-seq="${last.seq}"] mark.mention-me`).count()).toBe(4);
      await expect.poll(gap).toBeLessThan(8);
      await context.close();
    },
    E2E_TIMEOUT_MS,
  );
});
