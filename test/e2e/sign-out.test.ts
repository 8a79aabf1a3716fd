import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { MAX_CONTENT_CHARS } from '../../shared/limits';
import { axeViolations } from './support/axe';
import { join, launchBrowser, messageWith, phoneContext, screenshot, send, timeline, waitForOnline } from './support/browser';
import { generalHistory, storedCounts, storedSession, tokenStatus } from './support/device';
import { screenshotLightAndDark } from './support/screens';
import { useServer } from './support/server-fixture';

/** Every object store of the app's database, empty. */
const WIPED = { blobs: 0, session: 0, messages: 0, cursors: 0, outbox: 0, drafts: 0, rooms: 0, ui: 0, revocations: 0, revs: 0 };

const messageBox = (page: Page) => page.getByRole('textbox', { name: 'Message', exact: true });
const profileDialog = (page: Page) => page.getByRole('dialog', { name: 'Your profile' });
const confirmDialog = (page: Page) => page.getByRole('alertdialog', { name: 'Sign out and delete unsent messages?' });

async function openProfile(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Your profile/ }).click();
  await profileDialog(page).getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

describe('signing out', () => {
  const server = useServer();

  it('asks first when a message is unsent, then wipes the device, ends the token, and the other tab follows', async () => {
    const { url } = server();
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: url });
    const page = await context.newPage();
    await join(page, 'Ann');
    const otherTab = await context.newPage();
    await otherTab.goto('/');
    await waitForOnline(otherTab);
    await send(page, 'this one was sent');
    await expect.poll(() => messageWith(page, 'this one was sent').getAttribute('data-state')).toBe('sent');

    // Unsent: too long, so it stays in the outbox as failed (Retry / Delete). And a draft in the box.
    await messageBox(page).fill('x'.repeat(MAX_CONTENT_CHARS + 1));
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.locator('[data-state="failed"]').count()).toBe(1);
    await messageBox(page).fill('a draft never sent');
    await expect.poll(async () => (await storedCounts(page)).counts.drafts).toBe(1);
    const { token } = await storedSession(page);
    expect(await tokenStatus(url, token)).toBe(200);

    await openProfile(page);
    await screenshotLightAndDark(page, 'sign-out-profile');
    expect(await axeViolations(page)).toEqual([]);
    await profileDialog(page).getByRole('button', { name: 'Sign out', exact: true }).click();
    const confirm = confirmDialog(page);
    await confirm.getByText('1 message has not been sent. Signing out deletes it from this device and it will never be sent.').waitFor();
    // The safe answer has the focus.
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Cancel');
    await screenshotLightAndDark(page, 'sign-out-confirm');
    expect(await axeViolations(page)).toEqual([]);

    // Cancel changes nothing.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await storedCounts(page)).counts).toMatchObject({ session: 1, outbox: 1, drafts: 1 });
    expect(await tokenStatus(url, token)).toBe(200);

    // Nothing it deletes may show, even for a moment, as "not sent — signed out".
    await page.evaluate(() => {
      new MutationObserver(() => {
        if (document.body.textContent?.includes('not sent — signed out')) Object.assign(window, { sawInertList: true });
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    await profileDialog(page).getByRole('button', { name: 'Sign out', exact: true }).click();
    await confirm.getByRole('button', { name: 'Sign out and delete' }).click();
    await page.getByRole('status').filter({ hasText: 'You signed out. Nothing of yours is left on this device.' }).waitFor();
    await page.getByRole('textbox', { name: 'Name' }).waitFor();
    expect(await storedCounts(page)).toEqual({ version: 5, counts: WIPED });
    expect(await tokenStatus(url, token)).toBe(401);
    expect(await page.evaluate(() => 'sawInertList' in window)).toBe(false);
    await screenshot(page, 'sign-out-light-signed-out');

    // The other tab follows at once, and leaves nothing behind either.
    await otherTab.getByRole('status').filter({ hasText: 'You signed out in another tab.' }).waitFor();
    await otherTab.getByRole('textbox', { name: 'Name' }).waitFor();
    expect(await storedCounts(otherTab)).toEqual({ version: 5, counts: WIPED });

    // Whoever joins next starts clean: no draft, nothing queued, only what the server holds for them.
    await join(page, 'Someone else');
    expect(await messageBox(page).inputValue()).toBe('');
    expect(await page.locator('[data-state="failed"], [data-state="pending"]').count()).toBe(0);
    // "Online" shows at connect; the catch-up that brings the room's one message follows it.
    await expect.poll(() => timeline(page).allTextContents()).toHaveLength(1);
    expect(await timeline(page).allTextContents()).toEqual([expect.stringContaining('this one was sent')]);
    expect((await generalHistory(url)).map((message) => message.content)).toEqual(['this one was sent']);
    // Four phone screenshots and two axe runs: slower than most.
  }, 90_000);

  it('signs out offline at once, and the server forgets the token when the app is next online', async () => {
    const { url } = server();
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: url });
    const page = await context.newPage();
    await join(page, 'Bo');
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await send(page, 'typed in a tunnel');
    const { token } = await storedSession(page);

    await openProfile(page);
    await profileDialog(page).getByRole('button', { name: 'Sign out', exact: true }).click();
    await confirmDialog(page).getByText('1 message has not been sent.', { exact: false }).waitFor();
    await confirmDialog(page).getByRole('button', { name: 'Sign out and delete' }).click();
    await page.getByRole('status').filter({ hasText: 'the server has not been told yet' }).waitFor();
    // Only the token the server still has to forget is kept.
    expect(await storedCounts(page)).toEqual({ version: 5, counts: { ...WIPED, revocations: 1 } });
    expect(await tokenStatus(url, token)).toBe(200);

    await context.setOffline(false);
    await expect.poll(() => tokenStatus(url, token), { timeout: 15_000 }).toBe(401);
    await expect.poll(async () => (await storedCounts(page)).counts.revocations).toBe(0);
    expect((await generalHistory(url)).map((message) => message.content)).not.toContain('typed in a tunnel');
  });
});
