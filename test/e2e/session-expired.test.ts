import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';
import { assertBuilt, closeAll, contents, join, launchBrowser, phoneContext, send, waitForOnline } from './support/browser';
import { generalHistory, storedRecords } from './support/device';
import { react } from './support/message-actions';

describe('a server that no longer knows our token', () => {
  const servers: RunningServer[] = [];

  afterAll(async () => {
    await closeAll();
    await Promise.all(servers.map((server) => server.kill()));
    removeTempDirs();
  });

  it('asks for a name again and never sends what was queued as the new name', async () => {
    assertBuilt();
    const first = await startServer();
    servers.push(first);
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: first.url });
    const page = await context.newPage();
    await join(page, 'Ann');
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    await send(page, 'typed before the reset');
    // A reaction queued on it too: nobody could ever send or see it once the session is gone.
    await react(page, 'typed before the reset', '👍');
    await expect
      .poll(async () => (await storedRecords<{ kind: string }>(page, 'outbox')).map((entry) => entry.kind).sort())
      .toEqual(['react', 'send']);

    // The server comes back with an empty database on the same address.
    await first.kill();
    const second = await startServer({ port: first.port });
    servers.push(second);
    await context.setOffline(false);

    await page.getByRole('alert').filter({ hasText: 'Your session has ended' }).waitFor({ timeout: 20_000 });
    await page.getByRole('list', { name: 'Not sent — signed out' }).getByText('typed before the reset').waitFor();
    expect((await storedRecords<{ kind: string }>(page, 'outbox')).map((entry) => entry.kind)).toEqual(['send']);
    await page.getByRole('textbox', { name: 'Name' }).fill('Ann again');
    await page.getByRole('button', { name: 'Join' }).click();
    await waitForOnline(page);
    await page.waitForTimeout(1_500);
    expect(await contents(page)).toEqual([]);
    expect(await generalHistory(second.url)).toEqual([]);
    await page.getByText('1 message not sent — signed out').waitFor();
  });
});
