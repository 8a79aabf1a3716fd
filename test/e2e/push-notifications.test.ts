/**
 * A push delivered to the service worker in real Chromium (CDP ServiceWorker.deliverPushMessage,
 * notifications permission granted): the message lands in IndexedDB as if it came over the socket,
 * one notification per room counts what is waiting, and a "read" push closes it.
 */
import type { Worker } from 'playwright-core';
import { describe, expect, it, onTestFailed } from 'vitest';
import type { PushPayload } from '../../shared/push';
import type { Message } from '../../shared/protocol';
import type { LocalMessage } from '../../client/logic/models';
import { createSession } from '../support/clients';
import { post } from '../support/push-clients';
import { join, launchBrowser, phoneContext } from './support/browser';
import { storedRecords } from './support/device';
import { useServer } from './support/server-fixture';

type Shown = { title: string; body: string; tag: string; data: unknown };

describe('push in the service worker', () => {
  const server = useServer();

  it('stores a pushed message, shows one notification per room, and closes it on a read push', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    await context.grantPermissions(['notifications'], { origin: server().url });
    // A push the worker fails on leaves no trace but its console: shown when the test fails.
    const workerSaid: string[] = [];
    const listen = (worker: Worker) => worker.on('console', (line) => workerSaid.push(`${line.type()}: ${line.text()}`));
    context.on('serviceworker', listen);
    onTestFailed(() => console.log(`The service worker's console:\n${workerSaid.join('\n') || '(nothing)'}`));
    const page = await context.newPage();
    await join(page, 'Bob');

    const cdp = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const found = registrations.find((entry) => entry.scopeURL.startsWith(server().url) && !entry.isDeleted);
        if (found) resolve(found.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registration;
    const deliver = (payload: PushPayload) =>
      cdp.send('ServiceWorker.deliverPushMessage', { origin: server().url, registrationId, data: JSON.stringify(payload) });
    const shown = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          data: n.data as unknown,
        })),
      ) as Promise<Shown[]>;

    // The phone loses its connection; messages reach it only by push from now on.
    await context.setOffline(true);
    const ana = await createSession(server().url, 'Ana');
    const pushed = (message: Message): PushPayload => ({
      kind: 'message',
      message: {
        id: message.id,
        room: message.room,
        seq: message.seq,
        author: message.author,
        clientOffset: message.clientOffset,
        content: message.content,
        ts: message.ts,
      },
      complete: true,
      mention: false,
    });
    const first = await post(server().url, ana.token, 'general', 'first while you were away');
    await deliver(pushed(first));
    await expect
      .poll(async () => (await storedRecords<LocalMessage>(page, 'messages')).map((m) => m.content), { timeout: 10_000 })
      .toContain(first.content);
    await expect
      .poll(shown, { timeout: 10_000 })
      .toEqual([
        { title: '#general', body: `Ana: ${first.content}`, tag: 'general', data: { room: 'general', seq: first.seq, id: first.id } },
      ]);
    const stored = (await storedRecords<LocalMessage>(page, 'messages')).find((m) => m.content === first.content);
    expect(stored).toMatchObject({ room: 'general', seq: first.seq, id: first.id, state: 'sent', author: { name: 'Ana' } });

    const second = await post(server().url, ana.token, 'general', 'second one');
    await deliver(pushed(second));
    await expect.poll(shown, { timeout: 10_000 }).toEqual([
      {
        title: '2 new messages in #general',
        body: `Ana: ${second.content}`,
        tag: 'general',
        data: { room: 'general', seq: second.seq, id: second.id },
      },
    ]);

    // Read on another device: the notification goes.
    await deliver({ kind: 'read', room: 'general', seq: second.seq });
    await expect.poll(shown, { timeout: 10_000 }).toEqual([]);
    await context.close();
  });
});
