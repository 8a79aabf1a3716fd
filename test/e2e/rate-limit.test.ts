import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, phoneContext, send } from './support/browser';
import { useServer } from './support/server-fixture';

type Ack = { ok: boolean; error?: { code: string; retryAfterMs?: number } };

describe('a server that says slow down', () => {
  // Burst of 2, then 4 per second.
  const server = useServer({ env: { CHAT_RATE_LIMIT: '4:2' } });

  it('keeps rate-limited messages pending, waits as told, and delivers all in order', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    // Read the wire: `42<id>["message:send",{…}]` out, `43<id>[ack]` back, per connection.
    const refused: Array<{ clientOffset: string; retryAfterMs: number | undefined }> = [];
    page.on('websocket', (socket) => {
      const offsets = new Map<string, string>();
      socket.on('framesent', ({ payload }) => {
        const send = typeof payload === 'string' ? /^42(\d+)\["message:send",(.*)\]$/s.exec(payload) : null;
        if (send) offsets.set(send[1], (JSON.parse(send[2]) as { clientOffset: string }).clientOffset);
      });
      socket.on('framereceived', ({ payload }) => {
        const ack = typeof payload === 'string' ? /^43(\d+)\[(.*)\]$/s.exec(payload) : null;
        const answer = ack ? (JSON.parse(ack[2]) as Ack) : null;
        const clientOffset = ack ? offsets.get(ack[1]) : undefined;
        if (answer?.error?.code === 'rate_limited' && clientOffset) refused.push({ clientOffset, retryAfterMs: answer.error.retryAfterMs });
      });
    });
    await join(page, 'Chatty');
    await context.setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline' }).waitFor();
    const expected = Array.from({ length: 8 }, (_, index) => `burst ${index + 1}`);
    for (const text of expected) await send(page, text);

    await context.setOffline(false);
    await expect.poll(() => page.locator('[data-state="sent"]').count(), { timeout: 30_000 }).toBe(expected.length);
    expect(await page.locator('[data-state="failed"]').count()).toBe(0);
    expect(await contents(page)).toEqual(expected);
    // The server did refuse some as rate_limited, with a wait, and each of those was delivered later.
    expect(refused.length, 'sends refused as rate_limited').toBeGreaterThan(0);
    for (const { clientOffset, retryAfterMs } of refused) {
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(await page.locator(`[data-client-offset="${clientOffset}"]`).getAttribute('data-state'), clientOffset).toBe('sent');
    }
  });
});
