import { describe, expect, it } from 'vitest';
import { createSession } from '../support/clients';
import { join, launchBrowser, messageWith, phoneContext, screenshot, timeline } from './support/browser';
import { useServer } from './support/server-fixture';

const SEEDED = 1200;

async function post(url: string, token: string, clientOffset: string, content: string): Promise<void> {
  const response = await fetch(`${url}/api/rooms/general/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientOffset, content }),
  });
  if (!response.ok) throw new Error(`POST message answered ${response.status}`);
}

// Also on a 2-worker cluster: the browser then goes through the sticky router, as under npm start.
describe.each([1, 2])('a long history (%i worker(s))', (workers) => {
  const server = useServer({ workers });
  // One set of screenshots is enough.
  const shoot = workers === 1 ? screenshot : async () => undefined;

  it('shows catch-up progress, renders only the newest window, and offers a button for messages below', async () => {
    const { url } = server();
    const bot = await createSession(url, 'Bot');
    for (let start = 0; start < SEEDED; start += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, index) => post(url, bot.token, `seed-${start + index}`, `seed ${start + index + 1}`)),
      );
    }

    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: url });
    await context.addInitScript(() => {
      const log: string[] = [];
      Object.assign(window, { statusLog: log });
      new MutationObserver(() => {
        const text = document.querySelector('[role="status"]')?.textContent?.trim();
        if (text && log[log.length - 1] !== text) log.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const page = await context.newPage();
    await join(page, 'Late');
    const log = await page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog);
    expect(log.some((text) => /Catching up… \d+ of 1200/.test(text))).toBe(true);

    await expect.poll(() => timeline(page).count()).toBe(300);
    await page.getByRole('button', { name: 'Show earlier messages (900)' }).waitFor();
    await messageWith(page, 'seed 1200').waitFor();

    // Scrolled up, a new message does not yank the view: a button offers it instead.
    await page.locator('.scroller').evaluate((element) => (element.scrollTop = 0));
    await post(url, bot.token, 'live-1', 'a live one');
    await messageWith(page, 'a live one').waitFor({ state: 'attached' });
    const newMessages = page.getByRole('button', { name: /1 new message/ });
    await newMessages.waitFor();
    await shoot(page, 'phone-light-new-messages');
    await newMessages.click();
    await expect.poll(() => messageWith(page, 'a live one').isVisible()).toBe(true);

    // The cursor was stored: a reload catches up nothing and shows the same history once.
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Online' }).waitFor();
    await expect.poll(() => timeline(page).count()).toBe(300);
    expect(await messageWith(page, 'a live one').count()).toBe(1);
  });
});
