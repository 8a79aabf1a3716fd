import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe';
import { contents, join, launchBrowser, messageWith, phoneContext, send, waitForOnline } from './support/browser';
import { generalHistory, storedCounts, storedSession } from './support/device';
import { screenshotLightAndDark } from './support/screens';
import { useServer } from './support/server-fixture';

const signedOutList = (page: Page) => page.getByRole('list', { name: 'Not sent — signed out' });

/** What a test does from another device: sign this page's session out on the server. */
async function revoke(url: string, token: string): Promise<void> {
  const response = await fetch(`${url}/api/session`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(204);
}

describe('a session the server revokes', () => {
  const server = useServer();

  it('returns to Join, keeps the queue inert and never sends it as whoever joins next', async () => {
    const { url } = server();
    const browser = await launchBrowser();
    const annContext = await phoneContext(browser, { baseURL: url });
    const bobContext = await phoneContext(browser, { baseURL: url, colorScheme: 'dark' });
    const ann = await annContext.newPage();
    const bob = await bobContext.newPage();
    await join(ann, 'Ann');
    await join(bob, 'Bob');
    await send(ann, 'before the revocation');
    await messageWith(bob, 'before the revocation').waitFor();

    await annContext.setOffline(true);
    await ann.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await send(ann, 'queued as Ann');
    await ann.getByRole('textbox', { name: 'Message', exact: true }).fill('a draft of Ann');
    await expect.poll(async () => (await storedCounts(ann)).counts.drafts).toBe(1);
    await revoke(url, (await storedSession(ann)).token);

    await annContext.setOffline(false);
    await ann.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor({ timeout: 20_000 });
    expect(await ann.getByRole('alert').textContent()).toContain('Your unsent draft was deleted.');
    const inert = signedOutList(ann).getByRole('listitem');
    await expect.poll(() => inert.count()).toBe(1);
    expect(await inert.textContent()).toContain('queued as Ann');
    expect(await inert.getAttribute('data-state')).toBe('signed-out');
    await screenshotLightAndDark(ann, 'session-ended-join');
    expect(await axeViolations(ann)).toEqual([]);
    expect((await storedCounts(ann)).counts).toMatchObject({ session: 0, messages: 0, cursors: 0, drafts: 0, rooms: 0, ui: 0, outbox: 1 });

    // Someone else joins on this device and goes online: the old queue stays where it is.
    await ann.getByRole('textbox', { name: 'Name' }).fill('Zed');
    await ann.getByRole('button', { name: 'Join' }).click();
    await waitForOnline(ann);
    const summary = ann.getByText('1 message not sent — signed out');
    await summary.waitFor();
    expect(await ann.getByRole('textbox', { name: 'Message', exact: true }).inputValue()).toBe('');
    expect(await ann.locator('[data-state="pending"], [data-state="failed"]').count()).toBe(0);
    await summary.click();
    await signedOutList(ann).getByRole('listitem').waitFor();
    await screenshotLightAndDark(ann, 'session-ended-chat');
    expect(await axeViolations(ann)).toEqual([]);
    await send(ann, 'hello from Zed');
    await messageWith(bob, 'hello from Zed').waitFor();
    // Bob never sees the old queue: not live, not in the room's history.
    await bob.waitForTimeout(1_500);
    expect(await contents(bob)).toEqual(['before the revocation', 'hello from Zed']);
    expect((await generalHistory(url)).map((message) => message.content)).toEqual(['before the revocation', 'hello from Zed']);

    // The person deletes it; nothing is left of Ann on the device.
    await signedOutList(ann).getByRole('button', { name: 'Delete' }).click();
    await summary.waitFor({ state: 'detached' });
    expect((await storedCounts(ann)).counts.outbox).toBe(0);

    // A revocation while connected: the server closes the socket, and the page returns to Join within seconds.
    await revoke(url, (await storedSession(ann)).token);
    await ann.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor({ timeout: 15_000 });
    await ann.getByRole('textbox', { name: 'Name' }).waitFor();
  });
});
