import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, phoneContext, screenshot, send } from './support/browser';
import { failWritesWhenFull } from './support/device';
import { useServer } from './support/server-fixture';

describe('a device out of storage', () => {
  const server = useServer();

  it('says so, keeps the typed text, and loses nothing already queued', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    await failWritesWhenFull(context);
    const page = await context.newPage();
    await join(page, 'Hoarder');
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await send(page, 'queued before the disk filled');

    await page.evaluate(() => Object.assign(window, { fullDisk: true }));
    const big = `big ${'z'.repeat(3_900)}`;
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(big);
    await box.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'out of storage space' }).waitFor();
    expect(await box.inputValue()).toBe(big);
    expect(await contents(page)).toEqual(['queued before the disk filled']);
    await screenshot(page, 'phone-light-quota');

    await page.evaluate(() => Reflect.deleteProperty(window, 'fullDisk'));
    await context.setOffline(false);
    await expect.poll(() => page.locator('[data-state="sent"]').count(), { timeout: 20_000 }).toBe(1);
    await box.press('Enter');
    await expect.poll(() => contents(page)).toEqual(['queued before the disk filled', big]);
  });
});
