/**
 * SQLite's sealed catch-up pages (sqlite-sealed-pages.ts): every full page of 500 is sealed
 * once the writer is quiet, a sealed page always reads as its rows read now (a change takes it
 * back in the change's own transaction, a rename needs nothing), and a database from before
 * them gets its existing pages queued by the migration; all of it for both page formats
 * (`message:rows` and `message:packed`).
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BATCH_SIZE } from '../../../shared/limits';
import { messagesOfPacked } from '../../../shared/message-packed';
import { messagesOfRows } from '../../../shared/message-rows';
import type { MessagePacked, MessageRows, User } from '../../../shared/protocol';
import { openSqliteStore } from '../../../server/store/sqlite';
import { SEALED_PAGE_SIZE } from '../../../server/store/sqlite-sealed-pages';
import { migrations } from '../../../server/store/sqlite-schema';
import type { Store } from '../../../server/store/store';
import { tempDir } from '../../support/server';
import { newUser, send } from '../../support/store-kinds';

const dir = tempDir('chat-sealed-');
afterAll(() => dir.remove());

const open = (name: string): Store => openSqliteStore(join(dir.path, `${name}.db`), { synchronous: 'NORMAL' });

/** What the database holds, read on a connection of its own. */
function peek(name: string) {
  const db = new Database(join(dir.path, `${name}.db`), { readonly: true });
  try {
    const sealed = db.prepare('SELECT first_seq FROM sealed_pages WHERE room = ? ORDER BY first_seq').pluck().all('general');
    const queued = db.prepare('SELECT first_seq FROM unsealed_pages WHERE room = ? ORDER BY first_seq').pluck().all('general');
    const packed = db
      .prepare('SELECT first_seq FROM sealed_pages WHERE room = ? AND packed_json IS NOT NULL ORDER BY first_seq')
      .pluck()
      .all('general');
    return { sealed, queued, packed };
  } finally {
    db.close();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let tries = 0; !check(); tries++) {
    if (tries > 100) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function fill(store: Store, author: User, count: number): Promise<void> {
  // In batches, as traffic arrives: one group commit per turn.
  for (let start = 1; start <= count; start += 100)
    await Promise.all(
      Array.from({ length: Math.min(100, count - start + 1) }, (_, index) =>
        store.appendMessage(send(author, 'general', `m-${start + index}`, `message ${start + index} “quoted” 😀`)),
      ),
    );
}

const rowsPage = async (store: Store, after: number, limit = SEALED_PAGE_SIZE) =>
  messagesOfRows(JSON.parse((await store.encodedRowsAfter('general', after, limit)).json) as MessageRows);
const packedPage = async (store: Store, after: number, limit = SEALED_PAGE_SIZE) =>
  messagesOfPacked(JSON.parse((await store.encodedPackedAfter('general', after, limit)).json) as MessagePacked);

/** A closed database `name` of 1,100 messages by its one author (returned), both full pages sealed. */
async function sealedDatabase(name: string): Promise<User> {
  const store = open(name);
  const ada = await newUser(store, 'Ada');
  await fill(store, ada, 1_100);
  await until(() => peek(name).packed.length === 2, 'both pages to be sealed');
  await store.close();
  return ada;
}

/** Both page formats of `after` read as the store's messages. */
async function expectPagesAsMessages(store: Store, after: number): Promise<void> {
  const messages = await store.messagesAfter('general', after, 500);
  expect(await rowsPage(store, after)).toEqual(messages);
  expect(await packedPage(store, after)).toEqual(messages);
}

describe('SQLite sealed catch-up pages', () => {
  it('pages the size catch-up asks for', () => {
    expect(SEALED_PAGE_SIZE).toBe(BATCH_SIZE);
  });

  it('seals every full page once the writer is quiet, and reads each as its rows read', async () => {
    const store = open('seal');
    const ada = await newUser(store, 'Ada');
    await fill(store, ada, 1_203);
    await until(() => peek('seal').sealed.length === 2, 'pages 1 and 501 to be sealed');
    expect(peek('seal')).toEqual({ sealed: [1, 501], queued: [], packed: [1, 501] });
    for (const after of [0, 500, 1_000]) await expectPagesAsMessages(store, after);
    // Not on a page boundary: read from the rows, the same messages.
    await expectPagesAsMessages(store, 250);
    await store.close();
  });

  it('takes a sealed page back when one of its messages changes, reads the change at once, and seals it again', async () => {
    const store = open('change');
    const ada = await newUser(store, 'Ada');
    const bob = await newUser(store, 'Bob');
    await fill(store, ada, 1_000);
    await until(() => peek('change').sealed.length === 2, 'both pages to be sealed');

    const [target] = await store.messagesAfter('general', 6, 1);
    await store.applyChange({ kind: 'edit', room: 'general', author: ada, target: target.id, clientOffset: 'e-7', content: 'edited' });
    await store.applyChange({ kind: 'react', room: 'general', author: bob, target: target.id, clientOffset: 'r-7', emoji: '👍', on: true });
    // The reply's own page holds the reply; its parent's page is not touched by it.
    const reply = await store.appendMessage({ ...send(bob, 'general', 'reply'), replyTo: target.id });
    expect(reply.message.seq).toBe(1_001);
    const first = await rowsPage(store, 0);
    expect(first[6]).toMatchObject({ seq: 7, content: 'edited', reactions: { '👍': [bob.id] } });
    expect(first).toEqual(await store.messagesAfter('general', 0, 500));
    await expectPagesAsMessages(store, 0);

    await until(() => peek('change').sealed.length === 2 && peek('change').queued.length === 0, 'page 1 to be sealed again');
    await expectPagesAsMessages(store, 0);
    // Deleting the parent changes the reply's preview: a row update on page 1,001, which is not full, so nothing is sealed there.
    await store.applyChange({ kind: 'delete', room: 'general', author: ada, target: target.id, clientOffset: 'd-7' });
    expect((await rowsPage(store, 1_000))[0].replyTo).toEqual({ id: target.id, seq: 7, deleted: true });
    expect((await rowsPage(store, 0))[6]).toMatchObject({ seq: 7, deleted: true, content: '' });
    await expectPagesAsMessages(store, 0);
    await expectPagesAsMessages(store, 1_000);
    await store.close();
  });

  it('names authors as they are called now: a rename or a new handle reseals nothing', async () => {
    const store = open('rename');
    const ada = await newUser(store, 'Ada');
    await fill(store, ada, 500);
    await until(() => peek('rename').sealed.length === 1, 'page 1 to be sealed');
    await store.renameUser(ada.id, 'Ada L.');
    expect(await store.claimHandle(ada.id, 'ada')).toBe(true);
    const page = JSON.parse((await store.encodedRowsAfter('general', 0, SEALED_PAGE_SIZE)).json) as MessageRows;
    expect(page.users).toEqual([[ada.id, 'Ada L.', 'ada']]);
    expect(peek('rename').sealed).toEqual([1]);
    expect(messagesOfRows(page)).toEqual(await store.messagesAfter('general', 0, 500));
    const packed = JSON.parse((await store.encodedPackedAfter('general', 0, SEALED_PAGE_SIZE)).json) as MessagePacked;
    expect(packed.users).toEqual([[ada.id, 'Ada L.', 'ada']]);
    expect(messagesOfPacked(packed)).toEqual(await store.messagesAfter('general', 0, 500));
    await store.close();
  });

  it("numbers a sealed page's authors as its packed rows do, whoever wrote first", async () => {
    const store = open('authors');
    const ada = await newUser(store, 'Ada');
    const bob = await newUser(store, 'Bob');
    const cy = await newUser(store, 'Cy');
    // Cy writes first, then the three take turns: users must list Cy, Ada, Bob in that order.
    for (let index = 1; index <= SEALED_PAGE_SIZE; index++)
      await store.appendMessage(send([bob, cy, ada][index % 3], 'general', `a-${index}`));
    await until(() => peek('authors').packed.length === 1, 'page 1 to be sealed');
    const packed = JSON.parse((await store.encodedPackedAfter('general', 0, SEALED_PAGE_SIZE)).json) as MessagePacked;
    expect(packed.users.map((user) => user[0])).toEqual([cy.id, ada.id, bob.id]);
    await expectPagesAsMessages(store, 0);
    await store.close();
  });

  it('queues the full pages a database already held when it upgrades, and seals them', async () => {
    const ada = await sealedDatabase('upgrade');

    // Back to the schema before sealed pages, as a database written by the previous release.
    const db = new Database(join(dir.path, 'upgrade.db'));
    db.exec(`DROP TRIGGER messages_page_full; DROP TRIGGER messages_page_changed; DROP TRIGGER messages_page_gone;
             DROP TABLE sealed_pages; DROP TABLE unsealed_pages;`);
    db.pragma(`user_version = ${migrations.length - 2}`);
    db.close();

    const upgraded = open('upgrade');
    expect(peek('upgrade').queued.length + peek('upgrade').sealed.length).toBe(2);
    // The queue is worked through at the writer's next quiet moment, which a commit starts.
    await upgraded.appendMessage(send(ada, 'general', 'after-upgrade'));
    await until(() => peek('upgrade').sealed.length === 2, 'the queued pages to be sealed');
    expect(await rowsPage(upgraded, 500)).toEqual(await upgraded.messagesAfter('general', 500, 500));
    await upgraded.close();
  });

  it('seals again, with their packed rows, the pages a database sealed before packed pages, and reads them meanwhile', async () => {
    const ada = await sealedDatabase('repack');

    // Back to the schema before packed pages: sealed pages with their rows only.
    const db = new Database(join(dir.path, 'repack.db'));
    db.exec('ALTER TABLE sealed_pages DROP COLUMN packed_json');
    db.pragma(`user_version = ${migrations.length - 1}`);
    db.close();

    const upgraded = open('repack');
    expect(peek('repack')).toEqual({ sealed: [1, 501], queued: [1, 501], packed: [] });
    // Until they are sealed again, packed pages are read row by row: the same messages.
    await expectPagesAsMessages(upgraded, 0);
    await upgraded.appendMessage(send(ada, 'general', 'after-upgrade'));
    await until(() => peek('repack').packed.length === 2, 'the pages to be sealed with packed rows');
    expect(peek('repack').queued).toEqual([]);
    await expectPagesAsMessages(upgraded, 0);
    await expectPagesAsMessages(upgraded, 500);
    await upgraded.close();
  });
});
