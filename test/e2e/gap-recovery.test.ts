import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, phoneContext, send } from './support/browser';
import { useServer } from './support/server-fixture';

describe('a live message lost on the way', () => {
  const server = useServer();

  it('is noticed from the seq gap and fetched with sync, keeping order and showing each once', async () => {
    const browser = await launchBrowser();
    const ann = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    const bob = await (await phoneContext(browser, { baseURL: server().url })).newPage();

    // Bob's socket loses exactly one live `message:new` frame, as a flaky proxy might.
    let dropped = 0;
    await bob.routeWebSocket(/\/socket\.io\//, (socket) => {
      const upstream = socket.connectToServer();
      socket.onMessage((frame) => upstream.send(frame));
      upstream.onMessage((frame) => {
        if (typeof frame === 'string' && frame.startsWith('42["message:new"') && frame.includes('lost on the way') && dropped === 0) {
          dropped++;
          return;
        }
        socket.send(frame);
      });
    });

    await join(ann, 'Ann');
    await join(bob, 'Bob');
    for (const text of ['first', 'lost on the way', 'after the gap']) await send(ann, text);

    await expect.poll(() => contents(bob), { timeout: 20_000 }).toEqual(['first', 'lost on the way', 'after the gap']);
    expect(dropped).toBe(1);
    // Still each once after a later message (a late copy of the repaired one would arrive before it).
    await send(ann, 'one more');
    await expect.poll(() => contents(bob), { timeout: 20_000 }).toEqual(['first', 'lost on the way', 'after the gap', 'one more']);
  });
});
