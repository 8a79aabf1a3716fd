import { describe, expect, it } from 'vitest';
import { contents, join, launchBrowser, messageWith, phoneContext, send } from './support/browser';
import { useServer } from './support/server-fixture';

describe('a socket that looks open but carries nothing (a phone changing networks)', () => {
  const server = useServer();

  it('is given up after an ack timeout; the message goes out once on a fresh connection', async () => {
    const browser = await launchBrowser();
    const ann = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    const bob = await (await phoneContext(browser, { baseURL: server().url })).newPage();

    // The connection numbered `blackholed` silently drops every frame both ways; later ones work.
    let blackholed = 0;
    let connections = 0;
    await ann.routeWebSocket(/\/socket\.io\//, (socket) => {
      const connection = ++connections;
      const upstream = socket.connectToServer();
      const dead = () => connection === blackholed;
      socket.onMessage((frame) => {
        if (!dead()) upstream.send(frame);
      });
      upstream.onMessage((frame) => {
        if (!dead()) socket.send(frame);
      });
    });

    await join(ann, 'Ann');
    await join(bob, 'Bob');
    await send(ann, 'before the tunnel');
    await messageWith(bob, 'before the tunnel').waitFor();

    blackholed = connections;
    const before = connections;
    await send(ann, 'into the void');
    expect(await messageWith(ann, 'into the void').getAttribute('data-state')).toBe('pending');
    await expect.poll(() => connections, { timeout: 20_000 }).toBeGreaterThan(before);
    await expect.poll(() => messageWith(ann, 'into the void').getAttribute('data-state'), { timeout: 20_000 }).toBe('sent');
    await expect.poll(() => contents(bob), { timeout: 10_000 }).toEqual(['before the tunnel', 'into the void']);
  });
});
