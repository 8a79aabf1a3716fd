import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, messageWith, phoneContext, screenshot, send, timeline, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';

// Also on a 2-worker cluster: the browser then goes through the sticky router, as under npm start.
describe.each([1, 2])('offline outbox in the installed PWA (%i worker(s))', (workers) => {
  const server = useServer({ workers });
  // One set of screenshots is enough.
  const shoot = workers === 1 ? screenshot : async () => undefined;

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
    await shoot(ann, 'phone-light-offline-pending');

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
    // Still exactly once after a later message (no late duplicate from a replay arrives before it).
    await send(ann, 'after the flush');
    await expect.poll(() => contents(bob), { timeout: 20_000 }).toEqual([...expected, 'after the flush']);
    expect(await timeline(ann).count()).toBe(5);
    await shoot(ann, 'phone-light-chat');
    await shoot(bob, 'phone-dark-chat');
    await bob.setViewportSize({ width: 1280, height: 800 });
    await shoot(bob, 'desktop-dark-chat');
  });
});
