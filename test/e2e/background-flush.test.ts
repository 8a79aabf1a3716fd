import { describe, expect, it } from 'vitest';
import type { Message } from '../../shared/protocol';
import { createSession } from '../support/clients';
import { contents, launchBrowser, join, phoneContext, send, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';

async function history(url: string): Promise<string[]> {
  const { token } = await createSession(url, 'Observer');
  const response = await fetch(`${url}/api/rooms/general/messages?after=0&limit=500`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { messages: Message[] }).messages.map((message) => message.content);
}

describe('background flush by the service worker', () => {
  const server = useServer();

  it('sends the outbox in order after the page is closed, and the reopened app shows each once', async () => {
    const { url } = server();
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: url });
    const app = await context.newPage();
    await join(app, 'Commuter');
    await context.setOffline(true);
    await app.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    for (const text of ['sent from the tunnel', 'and another one']) await send(app, text);

    // A blank tab keeps a CDP session (and the context) alive once the app's tab is closed.
    const blank = await context.newPage();
    const cdp = await context.newCDPSession(blank);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((registration) => registration.scopeURL.startsWith(url) && !registration.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const id = await registrationId;
    await app.close();
    await context.setOffline(false);

    await cdp.send('ServiceWorker.dispatchSyncEvent', {
      origin: new URL(url).origin,
      registrationId: id,
      tag: 'outbox-flush',
      lastChance: false,
    });
    await expect.poll(() => history(url), { timeout: 20_000 }).toEqual(['sent from the tunnel', 'and another one']);

    const reopened = await context.newPage();
    await reopened.goto('/');
    await waitForOnline(reopened);
    expect(await reopened.locator('[data-state="pending"]').count()).toBe(0);
    expect(await contents(reopened)).toEqual(['sent from the tunnel', 'and another one']);
    expect(await reopened.getByRole('status').textContent()).not.toContain('unsent');
  });
});
