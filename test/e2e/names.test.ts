import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { join, launchBrowser, messageWith, phoneContext, screenshot, send } from './support/browser';
import { useServer } from './support/server-fixture';

const ARABIC = 'مريم';
/** Hebrew with Latin and a digit: the mix a bidi reordering would scramble with the text around it. */
const HEBREW = 'נועה (Noa) 2';

/** The names isolated in `<bdi>` inside `scope`. */
function isolated(page: Page, scope: string): Promise<string[]> {
  return page.locator(`${scope} bdi`).allTextContents();
}

describe('display names', () => {
  const server = useServer();

  it('isolates right-to-left names wherever a name is shown', async () => {
    const browser = await launchBrowser();
    const maryamContext = await phoneContext(browser, { baseURL: server().url });
    const noaContext = await phoneContext(browser, { baseURL: server().url, colorScheme: 'dark' });
    const maryam = await maryamContext.newPage();
    const noa = await noaContext.newPage();
    await join(maryam, ARABIC);
    await join(noa, HEBREW);

    // The profile button, and the author of a message on the other phone.
    expect(await isolated(maryam, '.me')).toEqual([ARABIC]);
    await send(maryam, 'مرحبا, hello');
    await messageWith(noa, 'مرحبا, hello').waitFor();
    expect(await isolated(noa, '[data-client-offset]')).toEqual([ARABIC]);

    // The typing line.
    await noa.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('שלום');
    await expect.poll(() => isolated(maryam, '.typing-indicator')).toEqual([HEBREW]);
    expect(await maryam.locator('.typing-indicator').textContent()).toBe(`${HEBREW} is typing…`);

    // The people sheet, then the DM it opens: title, and the other phone's rooms list.
    await maryam.getByRole('button', { name: /^People/ }).click();
    const sheet = maryam.getByRole('dialog', { name: 'People online' });
    await sheet.getByRole('button', { name: HEBREW }).waitFor();
    expect(await isolated(maryam, '.people')).toEqual([HEBREW]);
    await screenshot(maryam, 'names-light-people');
    await sheet.getByRole('button', { name: HEBREW }).click();
    await expect.poll(() => isolated(maryam, 'h1')).toEqual([HEBREW]);
    expect(await maryam.getByRole('heading', { level: 1 }).textContent()).toBe(`@ ${HEBREW}`);
    await send(maryam, 'private');
    await expect.poll(() => isolated(noa, 'nav[aria-label="Rooms"]')).toContain(ARABIC);

    // A notice in a public room.
    for (const page of [maryam, noa]) {
      await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'Add room' }).click();
      await page.getByRole('textbox', { name: 'Room' }).fill('bidi');
      await page.getByRole('button', { name: 'Join room' }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('# bidi');
    }
    const notice = maryam.getByRole('note').filter({ hasText: `${HEBREW} joined` });
    await notice.waitFor();
    expect(await notice.locator('bdi').allTextContents()).toEqual([HEBREW]);
    await screenshot(maryam, 'names-light-notice');
    await screenshot(noa, 'names-dark-rooms');
    expect(await axeViolations(maryam)).toEqual([]);
  });

  it('refuses a name with a right-to-left override, on Join and in the profile, and says why', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await page.goto('/');
    const name = page.getByRole('textbox', { name: 'Name' });
    await name.fill('Eve\u202Etxt.exe');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('alert').filter({ hasText: 'Name must not contain control or formatting characters.' }).waitFor();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).count()).toBe(0);
    await screenshot(page, 'names-light-join-refused');
    expect(await axeViolations(page)).toEqual([]);

    await join(page, 'Eve');
    await page.getByRole('button', { name: /Your profile/ }).click();
    const profile = page.getByRole('dialog', { name: 'Your profile' });
    await profile.getByRole('textbox', { name: 'Display name' }).fill('Eve\u202E');
    await profile.getByRole('button', { name: 'Save' }).click();
    await profile.getByRole('alert').filter({ hasText: 'Name must not contain control or formatting characters.' }).waitFor();
    expect(await page.locator('.me bdi').textContent()).toBe('Eve');
  });
});
