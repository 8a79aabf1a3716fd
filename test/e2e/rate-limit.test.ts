import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';
import { assertBuilt, closeAll, contents, join, launchBrowser, phoneContext, send } from './support/browser';

describe('a server that says slow down', () => {
  let server: RunningServer | undefined;

  beforeAll(async () => {
    assertBuilt();
    // Burst of 2, then 4 per second.
    server = await startServer({ env: { CHAT_RATE_LIMIT: '4:2' } });
  });

  afterAll(async () => {
    await closeAll();
    await server?.stop();
    removeTempDirs();
  });

  it('keeps rate-limited messages pending, waits as told, and delivers all in order', async () => {
    if (!server) throw new Error('server did not start');
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server.url });
    const page = await context.newPage();
    await join(page, 'Chatty');
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    const expected = Array.from({ length: 8 }, (_, index) => `burst ${index + 1}`);
    for (const text of expected) await send(page, text);

    await context.setOffline(false);
    await expect.poll(() => page.locator('[data-state="sent"]').count(), { timeout: 30_000 }).toBe(expected.length);
    expect(await page.locator('[data-state="failed"]').count()).toBe(0);
    expect(await contents(page)).toEqual(expected);
  });
});
