import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { join, launchBrowser, phoneContext, screenshot, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';

async function joinRoom(page: Page, name: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Join a room' });
  if ((await form.count()) === 0) await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Add room' }).click();
  await page.getByRole('textbox', { name: 'Room' }).fill(name);
  await page.getByRole('button', { name: 'Join room' }).click();
}

describe('a server that allows one socket per person', () => {
  const server = useServer({ env: { CHAT_RATE_LIMIT: '20:60', CHAT_MAX_SOCKETS_PER_USER: '1' } });

  it('keeps a second tab trying with a banner that says why, and connects it once the first tab closes', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const first = await context.newPage();
    await join(first, 'Tabby');
    const second = await context.newPage();
    await second.goto('/');
    const banner = second.getByRole('status');
    await banner.filter({ hasText: /Too many open connections \(close other tabs\) — retrying in \d+ s/ }).waitFor({ timeout: 15_000 });
    await screenshot(second, 'refusals-light-too-many-sockets');
    await first.close();
    await waitForOnline(second, 40_000);
  });
});

describe('a server that allows few actions', () => {
  // Five actions, then one every 10 s: connecting spends two (the rooms listing, twice).
  const server = useServer({ env: { CHAT_RATE_LIMIT: '20:60', CHAT_RATE_ACTIONS: '0.1:5' } });

  it('says how long to wait when joins are refused, and retries its own requests silently', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await join(page, 'Hasty');
    const refused = page.getByRole('alert').filter({ hasText: /^Too many requests, try again in \d+ s\.$/ });
    for (let attempt = 1; attempt <= 5 && (await refused.count()) === 0; attempt++) {
      await joinRoom(page, `room-${attempt}`);
      await page.waitForTimeout(500);
    }
    await refused.waitFor();
    await screenshot(page, 'refusals-light-too-many-requests');
    // The app's own refused requests (the new room's history, the listing) never show as errors.
    expect(await page.getByRole('alert').count()).toBe(1);
    await waitForOnline(page);
  });
});
