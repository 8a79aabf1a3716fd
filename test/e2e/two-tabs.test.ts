import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, phoneContext, send, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';

describe('two tabs of the app', () => {
  const server = useServer();

  it('share one outbox: a message queued in one shows in both and is sent once', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const first = await context.newPage();
    await join(first, 'Ann');
    const second = await context.newPage();
    await second.goto('/');
    await waitForOnline(second);

    await context.setOffline(true);
    await first.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await send(first, 'queued in the first tab');
    await expect.poll(() => second.locator('[data-state="pending"]').count()).toBe(1);
    await expect.poll(() => second.getByRole('status').textContent()).toContain('1 unsent');

    await context.setOffline(false);
    for (const page of [first, second]) {
      await expect.poll(() => page.locator('[data-state="sent"]').count(), { timeout: 20_000 }).toBe(1);
      expect(await contents(page)).toEqual(['queued in the first tab']);
    }
  });
});
