import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/protocol';
import { createSession } from '../support/clients';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';
import { assertBuilt, closeAll, contents, join, launchBrowser, phoneContext, send, waitForOnline } from './support/browser';

const COUNT = 60;

async function history(url: string, token: string): Promise<Message[]> {
  const response = await fetch(`${url}/api/rooms/general/messages?after=0&limit=500`, { headers: { authorization: `Bearer ${token}` } });
  return ((await response.json()) as { messages: Message[] }).messages;
}

describe('server killed while the outbox flushes', () => {
  let server: RunningServer | undefined;

  beforeAll(async () => {
    assertBuilt();
    server = await startServer();
  });

  afterAll(async () => {
    await closeAll();
    await server?.kill();
    removeTempDirs();
  });

  it('delivers every queued message exactly once, in order, after a SIGKILL and restart', async () => {
    if (!server) throw new Error('server did not start');
    const { url, port, dbPath } = server;
    const browser = await launchBrowser();
    const annContext = await phoneContext(browser, { baseURL: url });
    const bobContext = await phoneContext(browser, { baseURL: url });
    const ann = await annContext.newPage();
    const bob = await bobContext.newPage();
    await join(ann, 'Ann');
    await join(bob, 'Bob');

    await annContext.setOffline(true);
    await ann.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    const expected = Array.from({ length: COUNT }, (_, index) => `queued ${index + 1}`);
    for (const text of expected) await send(ann, text);

    await annContext.setOffline(false);
    await ann.waitForFunction(() => document.querySelectorAll('[data-state="sent"]').length >= 2, undefined, { polling: 5 });
    await server.kill();
    const pendingAtKill = await ann.locator('[data-state="pending"]').count();
    expect(pendingAtKill).toBeGreaterThan(0);
    await ann
      .getByRole('status')
      .filter({ hasText: /Reconnecting|Connecting/ })
      .waitFor();

    server = await startServer({ dbPath, port });
    await waitForOnline(ann, 30_000);
    await expect.poll(() => ann.locator('[data-state="sent"]').count(), { timeout: 30_000 }).toBe(COUNT);
    expect(await contents(ann)).toEqual(expected);

    await expect.poll(() => contents(bob), { timeout: 30_000 }).toEqual(expected);

    const observer = await createSession(server.url, 'Observer');
    const stored = await history(server.url, observer.token);
    expect(stored.map((message) => message.content)).toEqual(expected);
    expect(stored.map((message) => message.seq)).toEqual(expected.map((_, index) => index + 1));
  });
});
