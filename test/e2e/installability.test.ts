import { describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { join, launchBrowser, persistentPhone, phoneContext, screenshot, send } from './support/browser';
import { useServer } from './support/server-fixture';

describe('installable PWA', () => {
  const server = useServer();

  it('passes Chromium’s installability check with a complete manifest', async () => {
    const context = await persistentPhone({ baseURL: server().url });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/');
    await page.getByRole('textbox', { name: 'Name' }).waitFor();
    await screenshot(page, 'phone-light-join');
    await join(page, 'Installer');

    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);
    const { errors, url } = await cdp.send('Page.getAppManifest');
    expect(errors).toEqual([]);
    expect(url).toMatch(/manifest\.webmanifest$/);

    const manifest = (await (await fetch(`${server().url}/manifest.webmanifest`)).json()) as {
      id: string;
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      icons: Array<{ sizes: string; purpose: string }>;
    };
    expect(manifest).toMatchObject({ id: '/', start_url: '/', display: 'standalone', name: 'Offline Chat', short_name: 'Chat' });
    expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`)).toEqual(['192x192 any', '512x512 any', '512x512 maskable']);
    expect((await fetch(`${server().url}/apple-touch-icon.png`)).status).toBe(200);
    expect(await page.locator('meta[name="viewport"]').getAttribute('content')).toContain('width=device-width');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it.each(['light', 'dark'] as const)('has no accessibility violations on the chat screen (%s)', async (colorScheme) => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url, colorScheme });
    const page = await context.newPage();
    await join(page, `Reader ${colorScheme}`);
    await send(page, `a message in ${colorScheme} mode`);
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await send(page, 'waiting for the network');
    await screenshot(page, `phone-${colorScheme}-offline-pending`);
    expect(await axeViolations(page)).toEqual([]);
    await context.setOffline(false);
  });

  it('renders the join screen in dark mode', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: 'Join' }).waitFor();
    await screenshot(page, 'phone-dark-join');
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(238, 241, 245)');
  });
});
