import { appendFileSync, cpSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, startServer, tempDir, type RunningServer } from '../support/server';
import { assertBuilt, closeAll, join, launchBrowser, phoneContext, screenshot } from './support/browser';
// @ts-expect-error a build script in plain JavaScript, without types
import { compressDist } from '../../scripts/compress-dist.mjs';

describe('a new version of the app', () => {
  let server: RunningServer | undefined;
  const staticDir = tempDir('chat-e2e-static-');

  beforeAll(async () => {
    assertBuilt();
    cpSync('dist', staticDir.path, { recursive: true });
    server = await startServer({ env: { CHAT_STATIC_DIR: staticDir.path } });
  });

  afterAll(async () => {
    await closeAll();
    await server?.stop();
    staticDir.remove();
    removeTempDirs();
  });

  it('is offered with a Reload button, never reloads by itself, and keeps the draft across the reload', async () => {
    if (!server) throw new Error('server did not start');
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server.url });
    const page = await context.newPage();
    await join(page, 'Updater');
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('half-written thought');
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));

    // Deploy: any byte change to sw.js is a new version (and a build writes its compressed copies anew).
    appendFileSync(joinPath(staticDir.path, 'sw.js'), '\n// next deploy\n');
    compressDist(staticDir.path);
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });
    const reload = page.getByRole('button', { name: 'Reload' });
    await reload.waitFor({ timeout: 20_000 });
    await page.getByText('Update available').waitFor();
    await screenshot(page, 'phone-light-update');

    // The new version is installed and stays waiting (nothing activated it, so nothing reloaded): same document.
    await expect.poll(() => page.evaluate(async () => Boolean((await navigator.serviceWorker.getRegistration())?.waiting))).toBe(true);
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(true);
    expect(await box.inputValue()).toBe('half-written thought');

    await Promise.all([page.waitForEvent('load'), reload.click()]);
    await page.getByRole('textbox', { name: 'Message', exact: true }).waitFor();
    expect(await page.evaluate(() => 'sameDocument' in window)).toBe(false);
    await expect.poll(() => page.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('half-written thought');
    expect(await page.getByRole('button', { name: 'Reload' }).count()).toBe(0);
  });
});
