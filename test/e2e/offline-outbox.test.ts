import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, messageWith, phoneContext, screenshot, send, timeline, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';

describe('offline outbox in the installed PWA', () => {
  const server = useServer();

  it('queues while offline, survives an offline reload, then delivers in order exactly once', async () => {
    const browser = await launchBrowser();
    const annContext = await phoneContext(browser, { baseURL: server().url });
    const bobContext = await phoneContext(browser, { baseURL: server().url, colorScheme: 'dark' });
    const ann = await annContext.newPage();
    const bob = await bobContext.newPage();
    await join(ann, 'Ann');
    await join(bob, 'Bob');

    await send(ann, 'hello while online');
    await expect.poll(() => messageWith(ann, 'hello while online').getAttribute('data-state')).toBe('sent');
    await messageWith(bob, 'hello while online').waitFor();

    await annContext.setOffline(true);
    await ann.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    for (const text of ['offline one', 'offline two', 'offline three']) await send(ann, text);
    await expect.poll(() => ann.getByRole('status').textContent()).toContain('3 unsent');
    await screenshot(ann, 'phone-light-offline-pending');

    await ann.reload();
    await ann.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    const pending = ann.locator('[data-state="pending"]');
    await expect.poll(() => pending.count()).toBe(3);
    expect(await contents(ann)).toEqual(['hello while online', 'offline one', 'offline two', 'offline three']);

    await annContext.setOffline(false);
    await waitForOnline(ann);
    await expect.poll(() => ann.locator('[data-state="sent"]').count(), { timeout: 20_000 }).toBe(4);
    await expect.poll(() => ann.getByRole('status').textContent()).not.toContain('unsent');

    const expected = ['hello while online', 'offline one', 'offline two', 'offline three'];
    await expect.poll(() => contents(bob), { timeout: 20_000 }).toEqual(expected);
    // Still exactly once a moment later (no late duplicate from a replay).
    await bob.waitForTimeout(500);
    expect(await contents(bob)).toEqual(expected);
    expect(await timeline(ann).count()).toBe(4);
    await screenshot(ann, 'phone-light-chat');
    await screenshot(bob, 'phone-dark-chat');
    await bob.setViewportSize({ width: 1280, height: 800 });
    await screenshot(bob, 'desktop-dark-chat');
  });
});
