/**
 * The app sits exactly over the visual viewport (client/io/viewport.ts), so the composer stays
 * above an on-screen keyboard. At start the CSS fallback (100dvh) fits; when the viewport
 * shrinks, as Chromium's does when a keyboard opens, the app follows, and grows back with it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, join, launchBrowser, phoneContext } from './support/browser';
import { useServer } from './support/server-fixture';

describe('the visual viewport', () => {
  const server = useServer();
  afterAll(closeAll);

  it('fills the screen at start, and follows the viewport when it shrinks and grows back', async () => {
    const page = await (await phoneContext(await launchBrowser(), { baseURL: server().url })).newPage();
    await join(page, 'Viewport');
    const composer = page.getByRole('textbox', { name: 'Message' });
    const state = () =>
      page.evaluate(() => ({
        property: document.documentElement.style.getPropertyValue('--app-height'),
        app: document.querySelector('#app')?.getBoundingClientRect().height,
        inner: window.innerHeight,
      }));

    // Unset (the CSS fallback) or set by a resize while the page loaded: either way, the whole screen.
    const start = await state();
    expect(['', `${start.inner}px`]).toContain(start.property);
    expect(start.app).toBe(start.inner);

    // What a keyboard taking the lower part of the screen does to Chromium's viewport.
    const { width, height } = page.viewportSize() ?? { width: 0, height: 0 };
    await page.setViewportSize({ width, height: 500 });
    await expect.poll(async () => (await state()).property).toBe('500px');
    expect((await state()).app).toBe(500);
    const box = await composer.boundingBox();
    expect(box && box.y + box.height).toBeLessThanOrEqual(500);

    await page.setViewportSize({ width, height });
    await expect.poll(async () => (await state()).property).toBe(`${height}px`);
    expect((await state()).app).toBe(height);
  });
});
