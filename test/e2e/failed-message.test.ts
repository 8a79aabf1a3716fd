import { describe, expect, it } from 'vitest';
import { MAX_CONTENT_CHARS } from '../../shared/limits';
import { axeViolations } from './support/axe';
import { contents, join, launchBrowser, messageWith, phoneContext, screenshot, send, timeline, waitForOnline } from './support/browser';
import { useServer } from './support/server-fixture';

describe('a message the server refuses', () => {
  const server = useServer();

  it('turns too-long text into a failed message with Retry and Delete, while Shift+Enter makes a new line', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await join(page, 'Typist');
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('x'.repeat(MAX_CONTENT_CHARS + 1));
    await page.getByText('1 character over the 4000 limit').waitFor();
    await page.getByRole('button', { name: 'Send' }).click();
    const refused = timeline(page).first();
    await expect.poll(() => refused.getAttribute('data-state')).toBe('failed');
    await refused.getByRole('button', { name: 'Retry' }).waitFor();
    await refused.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => timeline(page).count()).toBe(0);

    // Shift+Enter adds a line; Enter sends.
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('line one');
    await box.press('Shift+Enter');
    await box.pressSequentially('line two');
    await box.press('Enter');
    await expect.poll(() => contents(page)).toEqual(['line one\nline two']);
    expect(await box.inputValue()).toBe('');
  });

  it('shows as failed with Retry and Delete when an older outbox entry is refused', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    // clientOffsets the server answered too_long, read from the socket's frames (`42<id>[send]` out, `43<id>[ack]` back).
    const tooLongAnswers: string[] = [];
    page.on('websocket', (socket) => {
      const offsets = new Map<string, string>();
      socket.on('framesent', ({ payload }) => {
        const sent = typeof payload === 'string' ? /^42(\d+)\["message:send",(.*)\]$/s.exec(payload) : null;
        if (sent) offsets.set(sent[1], (JSON.parse(sent[2]) as { clientOffset: string }).clientOffset);
      });
      socket.on('framereceived', ({ payload }) => {
        const ack = typeof payload === 'string' ? /^43(\d+)\[(.*)\]$/s.exec(payload) : null;
        const clientOffset = ack ? offsets.get(ack[1]) : undefined;
        if (ack && clientOffset && (JSON.parse(ack[2]) as { error?: { code: string } }).error?.code === 'too_long')
          tooLongAnswers.push(clientOffset);
      });
    });
    await join(page, 'Ann');
    await send(page, 'before the refusal');

    // An outbox written by an app version without the length check: the server answers too_long.
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    const longText = `too long ${'y'.repeat(MAX_CONTENT_CHARS)}`;
    await page.evaluate(seedOutboxEntry, { clientOffset: 'legacy-too-long', content: longText });
    await page.reload();
    await messageWith(page, 'too long').waitFor();
    await send(page, 'after the refusal');

    await context.setOffline(false);
    await waitForOnline(page);
    const failed = page.locator('[data-client-offset="legacy-too-long"]');
    await expect.poll(() => failed.getAttribute('data-state'), { timeout: 20_000 }).toBe('failed');
    await expect.poll(() => messageWith(page, 'after the refusal').getAttribute('data-state')).toBe('sent');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('1 unsent, 1 failed');
    await failed.scrollIntoViewIfNeeded();
    await screenshot(page, 'phone-light-failed');
    expect(await axeViolations(page)).toEqual([]);

    // Retry sends it again (seen on the wire), the server refuses it again, and it shows as failed again.
    const refusalsBefore = tooLongAnswers.length;
    await failed.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => tooLongAnswers.length, { timeout: 20_000 }).toBeGreaterThan(refusalsBefore);
    expect(tooLongAnswers.at(-1)).toBe('legacy-too-long');
    await expect.poll(() => failed.getAttribute('data-state'), { timeout: 20_000 }).toBe('failed');

    await failed.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => failed.count()).toBe(0);
    await expect.poll(() => page.getByRole('status').textContent()).not.toContain('unsent');
    await page.reload();
    await waitForOnline(page);
    const after = await contents(page);
    expect(after.filter((text) => text.endsWith('the refusal'))).toEqual(['before the refusal', 'after the refusal']);
    expect(after).not.toContain(longText);
  });
});

/** Runs in the page: writes one outbox entry and its pending message the way the app stores them. */
async function seedOutboxEntry(seed: { clientOffset: string; content: string }): Promise<void> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('offline-chat');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const session = await new Promise<{ user: { id: string; name: string } }>((resolve, reject) => {
    const request = database.transaction('session').objectStore('session').get('current');
    request.onsuccess = () => resolve(request.result as { user: { id: string; name: string } });
    request.onerror = () => reject(request.error);
  });
  const now = Date.now();
  const tx = database.transaction(['outbox', 'messages'], 'readwrite');
  tx.objectStore('outbox').put({
    kind: 'send',
    clientOffset: seed.clientOffset,
    authorId: session.user.id,
    room: 'general',
    content: seed.content,
    order: now,
    createdAt: now,
  });
  tx.objectStore('messages').put({
    key: `${session.user.id}/${seed.clientOffset}`,
    room: 'general',
    clientOffset: seed.clientOffset,
    author: session.user,
    content: seed.content,
    state: 'pending',
    ts: now,
    order: now,
  });
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  database.close();
}
