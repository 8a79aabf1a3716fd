import { describe, expect, it } from 'vitest';
import type { Message } from '../../shared/protocol';
import { connectAndCatchUp, createSession } from '../support/clients';
import { axeViolations } from './support/axe';
import { contents, join, launchBrowser, phoneContext, send, waitForOnline } from './support/browser';
import { generalHistory } from './support/device';
import {
  chips,
  choose,
  edit,
  longPress,
  menu,
  messageWith,
  openMenu,
  react,
  remove,
  reply,
  twoFingerHold,
} from './support/message-actions';
import { screenshotLightAndDark } from './support/screens';
import { useServer } from './support/server-fixture';

const offlineStatus = (page: import('playwright-core').Page) => page.getByRole('status').filter({ hasText: 'Offline' });

describe('messages people change, through the offline outbox', () => {
  const server = useServer();

  it('offline: a reply to a message typed offline, a reaction to it, its edit and another deletion reach the other phone exactly once', async () => {
    const browser = await launchBrowser();
    const annContext = await phoneContext(browser, { baseURL: server().url });
    const bobContext = await phoneContext(browser, { baseURL: server().url, colorScheme: 'dark' });
    const ann = await annContext.newPage();
    const bob = await bobContext.newPage();
    await join(ann, 'Ann');
    await join(bob, 'Bob');
    await send(ann, 'this one goes away');
    await send(bob, 'morning Ann');
    await expect.poll(() => messageWith(ann, 'this one goes away').getAttribute('data-state')).toBe('sent');
    await messageWith(ann, 'morning Ann').waitFor();

    await annContext.setOffline(true);
    await offlineStatus(ann).waitFor();
    await send(ann, 'typed offlien');
    await reply(ann, 'typed offlien', 'a reply to it');
    await react(ann, 'typed offlien', '👍');
    await edit(ann, 'typed offlien', 'typed offline');
    await remove(ann, 'this one goes away');
    await react(ann, 'morning Ann', '❤️');
    // Shown at once, before the server has any of it.
    expect(await contents(ann)).toEqual(['This message was deleted', 'morning Ann', 'typed offline', 'a reply to it']);
    expect(await chips(ann, 'typed offline')).toEqual(['👍 1, you reacted']);
    await expect.poll(() => messageWith(ann, 'a reply to it').locator('.reply-quote').textContent()).toContain('typed offline');
    // The edit rewrote the queued send: nothing but sends and the changes to sent messages wait.
    await expect.poll(() => ann.getByRole('status').textContent()).toContain('2 unsent');

    await annContext.setOffline(false);
    await waitForOnline(ann);
    await expect.poll(() => ann.locator('[data-state="pending"]').count(), { timeout: 20_000 }).toBe(0);

    const expected = ['This message was deleted', 'morning Ann', 'typed offline', 'a reply to it'];
    await expect.poll(() => contents(bob), { timeout: 20_000 }).toEqual(expected);
    await expect.poll(() => chips(bob, 'typed offline'), { timeout: 20_000 }).toEqual(['👍 1']);
    await expect.poll(() => chips(bob, 'morning Ann'), { timeout: 20_000 }).toEqual(['❤️ 1']);
    expect(await messageWith(bob, 'a reply to it').locator('.reply-quote').textContent()).toContain('typed offline');
    // The queued send was rewritten, not edited after the fact: no "edited" marker, and never its typo.
    expect(await messageWith(bob, 'typed offline').locator('.edited').count()).toBe(0);

    // Exactly once on the server: one message each, the typo never stored, one reaction, the deletion kept as a tombstone.
    const history = await generalHistory(server().url);
    expect(history.map((message) => message.content)).toEqual(['', 'morning Ann', 'typed offline', 'a reply to it']);
    const [gone, morning, parent, child] = history;
    expect(gone.deleted).toBe(true);
    expect(morning.reactions).toEqual({ '❤️': [parent.author.id] });
    expect(parent.reactions).toEqual({ '👍': [parent.author.id] });
    expect(child.replyTo).toMatchObject({ id: parent.id, preview: 'typed offline' });

    // Still exactly once after a reload of the other phone (from its device) and a later message.
    await bob.reload();
    await waitForOnline(bob);
    await send(ann, 'and one more');
    await expect.poll(() => contents(bob), { timeout: 20_000 }).toEqual([...expected, 'and one more']);
    expect(await chips(bob, 'typed offline')).toEqual(['👍 1']);

    // An edit of a sent message, live: marked edited everywhere.
    await edit(ann, 'and one more', 'and one more, edited');
    await expect.poll(() => contents(bob), { timeout: 20_000 }).toEqual([...expected, 'and one more, edited']);
    await messageWith(bob, 'and one more, edited').locator('.edited').waitFor();

    // Two fingers held on a message are a pinch or a scroll, not a long press: no menu (the first finger's used to open it).
    await twoFingerHold(bob, 'typed offline', 800);
    expect(await menu(bob).count()).toBe(0);
    // Bob reacts with a long press, and taps Ann's chip to add his own.
    await longPress(bob, 'typed offline');
    await screenshotLightAndDark(bob, 'changes-menu');
    await menu(bob).getByRole('menuitem', { name: 'React with 😂' }).click();
    await messageWith(bob, 'typed offline').getByRole('button', { name: '👍 1' }).click();
    await expect.poll(() => chips(ann, 'typed offline'), { timeout: 20_000 }).toEqual(['👍 2, you reacted', '😂 1']);
    await screenshotLightAndDark(ann, 'changes-reactions-reply-edited-deleted');
  });

  it('the full picker loads only when opened, from this server, and its choice becomes a reaction', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    const fetched: string[] = [];
    page.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    await join(page, 'Gil');
    await send(page, 'pick something');
    expect(fetched.some((path) => path.includes('emoji-picker-element') || path === '/emoji-data.json')).toBe(false);

    await openMenu(page, 'pick something');
    await choose(page, 'More reactions');
    const picker = page.getByRole('dialog', { name: 'Choose a reaction' });
    await picker.getByRole('tab').first().waitFor();
    await screenshotLightAndDark(page, 'changes-emoji-picker');
    await picker.getByRole('combobox').fill('rocket');
    await picker
      .getByRole('option', { name: /rocket/ })
      .first()
      .click();
    await expect.poll(() => chips(page, 'pick something'), { timeout: 20_000 }).toEqual(['🚀 1, you reacted']);
    expect(fetched).toContain('/emoji-data.json');
    expect(fetched.some((path) => path.includes('emoji-picker-element'))).toBe(true);
  });

  it('the menu is a keyboard menu: arrows move, Escape closes back to its button; a swipe right replies; no axe violations', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    await join(page, 'Hal');
    await send(page, 'keyboard me');
    // The receipts item is offered for a sent message only: wait for the ack (its seq) before opening the menu.
    await page.locator('[data-seq]', { hasText: 'keyboard me' }).waitFor();
    await openMenu(page, 'keyboard me');
    const focusedName = () =>
      page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent?.trim());
    expect(await focusedName()).toBe('React with 👍');
    await page.keyboard.press('ArrowRight');
    expect(await focusedName()).toBe('React with ❤️');
    await page.keyboard.press('End');
    expect(await focusedName()).toMatch(/^Delivered and read/);
    await page.keyboard.press('ArrowDown');
    expect(await focusedName()).toBe('React with 👍');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await menu(page).waitFor({ state: 'detached' });
    expect(await focusedName()).toBe('Message actions');

    // A finger swiping the bubble right starts a reply to it.
    const bubble = messageWith(page, 'keyboard me').locator('.bubble');
    const box = await bubble.boundingBox();
    if (!box) throw new Error('no bubble');
    const at = (dx: number) => ({ clientX: box.x + 20 + dx, clientY: box.y + 20, pointerType: 'touch', isPrimary: true, pointerId: 3 });
    await bubble.dispatchEvent('pointerdown', at(0));
    for (const dx of [15, 40, 80]) await bubble.dispatchEvent('pointermove', at(dx));
    await bubble.dispatchEvent('pointerup', at(80));
    await page.getByRole('button', { name: 'Cancel reply' }).waitFor();
    expect(await page.locator('.compose-context').textContent()).toContain('keyboard me');
    await screenshotLightAndDark(page, 'changes-compose-reply');
    await page.getByRole('button', { name: 'Cancel reply' }).click();
    expect(await page.locator('.compose-context').count()).toBe(0);
  });

  it('a reply quote jumps to its parent, loading it from the server when the device does not hold it', async () => {
    const browser = await launchBrowser();
    const page = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    const jo = await connectAndCatchUp(server().url, (await createSession(server().url, 'Jo')).token);
    await join(page, 'Ivy');
    const parent = await jo.socket.emitWithAck('message:send', {
      room: 'general',
      clientOffset: 'jo-the-parent-0000001',
      content: 'the parent',
    });
    if (!parent.ok) throw new Error(parent.error.message);
    const child = await jo.socket.emitWithAck('message:send', {
      room: 'general',
      clientOffset: 'jo-the-child-00000001',
      content: 'the child',
      replyTo: parent.message.id,
    });
    expect(child.ok).toBe(true);
    await messageWith(page, 'the child').waitFor();

    // The device loses the parent (as if evicted): only the server has it now.
    await page.evaluate(async (key) => {
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('offline-chat');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = database.transaction('messages', 'readwrite');
      tx.objectStore('messages').delete(key);
      await new Promise((resolve) => (tx.oncomplete = resolve));
      database.close();
    }, `${parent.message.author.id}/${parent.message.clientOffset}`);
    await page.reload();
    await waitForOnline(page);
    await messageWith(page, 'the child').waitFor();
    expect(await messageWith(page, 'the parent').count()).toBe(0);

    await messageWith(page, 'the child')
      .getByRole('button', { name: /In reply to/ })
      .click();
    await messageWith(page, 'the parent').waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('[data-key]')?.textContent ?? '')).toContain('the parent');
    // In its place, once (other tests of this file wrote to general too).
    const shown = (await contents(page)).filter((text) => text === 'the parent' || text === 'the child');
    expect(shown).toEqual(['the parent', 'the child']);
    jo.socket.disconnect();
  });

  it('a live change lost on the way is noticed from the rev gap and fetched with sync', async () => {
    const browser = await launchBrowser();
    const ann = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    const bob = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    // Bob's socket loses exactly one live `message:change` frame, as a flaky proxy might.
    let dropped = 0;
    await bob.routeWebSocket(/\/socket\.io\//, (socket) => {
      const upstream = socket.connectToServer();
      socket.onMessage((frame) => upstream.send(frame));
      upstream.onMessage((frame) => {
        if (typeof frame === 'string' && frame.startsWith('42["message:change"') && frame.includes('lost on the way') && dropped === 0) {
          dropped++;
          return;
        }
        socket.send(frame);
      });
    });
    await join(ann, 'Kim');
    await join(bob, 'Lee');
    await send(ann, 'change me');
    await messageWith(bob, 'change me').waitFor();

    await edit(ann, 'change me', 'an edit lost on the way');
    await expect.poll(() => dropped, { timeout: 20_000 }).toBe(1);
    // The next change (rev + 2 for Bob) reveals the hole; sync brings the edit, and the reaction shows once.
    await react(ann, 'an edit lost on the way', '🙏');
    await messageWith(bob, 'an edit lost on the way').waitFor({ timeout: 20_000 });
    await expect.poll(() => chips(bob, 'an edit lost on the way'), { timeout: 20_000 }).toEqual(['🙏 1']);
    expect(await contents(bob)).toContain('an edit lost on the way');
  });

  it('two devices of one person show the same reactions, and taking one back reaches both', async () => {
    const browser = await launchBrowser();
    const phone = await (await phoneContext(browser, { baseURL: server().url })).newPage();
    const laptop = await (await phoneContext(browser, { baseURL: server().url, colorScheme: 'dark' })).newPage();
    const other = await createSession(server().url, 'Cleo');
    const cleo = await connectAndCatchUp(server().url, other.token);
    await join(phone, 'Dana');
    // The same session on a second device: its token stored there before the app starts.
    const session = await phone.evaluate(async () => {
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('offline-chat');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const stored = await new Promise<unknown>((resolve) => {
        const request = database.transaction('session').objectStore('session').get('current');
        request.onsuccess = () => resolve(request.result);
      });
      database.close();
      return stored;
    });
    await laptop.goto('/');
    await laptop.getByRole('textbox', { name: 'Name' }).waitFor();
    await laptop.evaluate(async (stored) => {
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('offline-chat');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const tx = database.transaction('session', 'readwrite');
      tx.objectStore('session').put(stored, 'current');
      await new Promise((resolve) => (tx.oncomplete = resolve));
      database.close();
    }, session);
    await laptop.reload();
    await waitForOnline(laptop);

    const sent = await cleo.socket.emitWithAck('message:send', {
      room: 'general',
      clientOffset: 'cleo-react-me-0000001',
      content: 'react to me',
    });
    expect(sent.ok).toBe(true);
    await messageWith(phone, 'react to me').waitFor();
    await messageWith(laptop, 'react to me').waitFor();

    await react(phone, 'react to me', '🙏');
    await react(laptop, 'react to me', '😮');
    const both = ['🙏 1, you reacted', '😮 1, you reacted'];
    await expect.poll(() => chips(phone, 'react to me'), { timeout: 20_000 }).toEqual(both);
    await expect.poll(() => chips(laptop, 'react to me'), { timeout: 20_000 }).toEqual(both);

    // Taken back on the laptop (tapping its chip): gone on the phone too.
    await messageWith(laptop, 'react to me').getByRole('button', { name: '🙏 1, you reacted' }).click();
    await expect.poll(() => chips(phone, 'react to me'), { timeout: 20_000 }).toEqual(['😮 1, you reacted']);
    await expect.poll(() => chips(laptop, 'react to me'), { timeout: 20_000 }).toEqual(['😮 1, you reacted']);
    cleo.socket.disconnect();
  });

  it('a phone offline during 200 edits and reactions by someone else converges once it reconnects', async () => {
    const browser = await launchBrowser();
    const context = await phoneContext(browser, { baseURL: server().url });
    const page = await context.newPage();
    const author = await createSession(server().url, 'Eve');
    const eve = await connectAndCatchUp(server().url, author.token);
    await join(page, 'Finn');
    const first = await eve.socket.emitWithAck('message:send', {
      room: 'general',
      clientOffset: 'eve-many-changes-0001',
      content: 'version 0',
    });
    if (!first.ok) throw new Error(first.error.message);
    const message: Message = first.message;
    await messageWith(page, 'version 0').waitFor();

    await context.setOffline(true);
    await offlineStatus(page).waitFor();
    const emoji = ['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '🔥'];
    const expectedReactions = new Map<string, boolean>();
    let content = 'version 0';
    for (let index = 0; index < 200; index++) {
      const clientOffset = `eve-change-${String(index).padStart(10, '0')}`;
      for (;;) {
        let answer;
        if (index % 2 === 0) {
          content = `version ${index + 1}`;
          answer = await eve.socket.emitWithAck('message:edit', { room: 'general', target: message.id, clientOffset, content });
        } else {
          const pick = emoji[index % emoji.length];
          const on = !(expectedReactions.get(pick) ?? false);
          answer = await eve.socket.emitWithAck('reaction:set', { room: 'general', target: message.id, emoji: pick, on, clientOffset });
          if (answer.ok) expectedReactions.set(pick, on);
        }
        if (answer.ok) break;
        // The author's write budget: wait as told, then the same clientOffset again.
        if (answer.error.code !== 'rate_limited') throw new Error(answer.error.message);
        await new Promise((resolve) => setTimeout(resolve, answer.error.retryAfterMs ?? 200));
      }
    }
    const server200 = (await generalHistory(server().url)).find((item) => item.id === message.id);
    expect(server200?.content).toBe(content);

    await context.setOffline(false);
    await waitForOnline(page);
    await messageWith(page, content).waitFor({ timeout: 20_000 });
    const expectedChips = Object.keys(server200?.reactions ?? {}).map((key) => `${key} 1`);
    expect(expectedChips.length).toBeGreaterThan(0);
    await expect.poll(() => chips(page, content), { timeout: 20_000 }).toEqual(expectedChips);
    expect(await messageWith(page, content).locator('.edited').count()).toBe(1);
    // The device's change cursor is the room's last rev: nothing missed, nothing left to repair.
    const revs = await page.evaluate(async () => {
      const database = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('offline-chat');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const rows = await new Promise<Array<{ room: string; rev: number }>>((resolve) => {
        const request = database.transaction('revs').objectStore('revs').getAll();
        request.onsuccess = () => resolve(request.result as Array<{ room: string; rev: number }>);
      });
      database.close();
      return rows;
    });
    expect(revs.find((row) => row.room === 'general')?.rev).toBeGreaterThanOrEqual(200);
    eve.socket.disconnect();
  });
});
