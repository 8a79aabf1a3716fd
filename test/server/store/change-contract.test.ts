/**
 * The change contract (edits, deletes, reactions, replies, receipts), held against
 * both stores: who may change what, that every change is idempotent by
 * (author, clientOffset), that each room's revs run gap-free, and that a delete
 * takes the text out of the store, not just out of view.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { messagesOfPacked } from '../../../shared/message-packed';
import { messagesOfRows } from '../../../shared/message-rows';
import type { MessagePacked, MessageRows, User } from '../../../shared/protocol';
import { WriteRefused, type NewChange, type Store } from '../../../server/store/store';
import { postgresProblem, shouldRun } from '../../support/services';
import { newUser, postgresKind, send, sqliteKind, type StoreKind } from '../../support/store-kinds';

const pgAvailable = shouldRun('PostgreSQL change contract', await postgresProblem());

const edit = (author: User, target: number | string, clientOffset: string, content: string, room = 'general'): NewChange => ({
  kind: 'edit',
  room,
  author,
  target,
  clientOffset,
  content,
});
const remove = (author: User, target: number | string, clientOffset: string, room = 'general'): NewChange => ({
  kind: 'delete',
  room,
  author,
  target,
  clientOffset,
});
const react = (author: User, target: number | string, clientOffset: string, emoji: string, on = true): NewChange => ({
  kind: 'react',
  room: 'general',
  author,
  target,
  clientOffset,
  emoji,
  on,
});

/** Reactions as sets: people who react within the same millisecond have no order between them. */
const asSets = (reactions: Record<string, string[]> | undefined) =>
  Object.fromEntries(Object.entries(reactions ?? {}).map(([emoji, users]) => [emoji, [...users].sort()]));
const sorted = (...ids: string[]) => ids.sort();

/** The `message:rows` and `message:packed` pages read back as the messages themselves: edits, tombstones, reactions and replies included. */
async function expectRowsAsMessages(store: Store, room = 'general'): Promise<void> {
  const rows = JSON.parse((await store.encodedRowsAfter(room, 0, 500)).json) as MessageRows;
  const messages = await store.messagesAfter(room, 0, 500);
  expect(messagesOfRows(rows)).toEqual(messages);
  const packed = JSON.parse((await store.encodedPackedAfter(room, 0, 500)).json) as MessagePacked;
  expect(messagesOfPacked(packed)).toEqual(messages);
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(WriteRefused);
  return (error as WriteRefused).code;
}

function contract(makeKind: () => StoreKind): void {
  const kind = makeKind();
  afterAll(() => kind.cleanup());

  const withStore = async (name: string, body: (store: Store) => Promise<void>, rules?: Parameters<StoreKind['open']>[1]) => {
    const store = await kind.open(name, rules);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };

  it('lets only the author edit, once per clientOffset, and numbers changes gap-free per room', () =>
    withStore('edits', async (store) => {
      const ada = await newUser(store, 'Ada');
      const bob = await newUser(store, 'Bob');
      const { message } = await store.appendMessage(send(ada, 'general', 'm-1', 'helo'));

      const first = await store.applyChange(edit(ada, message.id, 'e-1', 'hello'));
      expect(first.created).toBe(true);
      expect(first.change).toMatchObject({ room: 'general', rev: 1, kind: 'edit', target: message.id, targetSeq: 1, content: 'hello' });
      expect(first.message).toMatchObject({ id: message.id, seq: 1, content: 'hello' });
      expect(first.message.editedAt).toBeGreaterThanOrEqual(message.ts);

      // A resend of the same edit (a reconnect, another worker) is the same change, not a second one.
      const again = await store.applyChange(edit(ada, message.id, 'e-1', 'hello'));
      expect(again).toMatchObject({ created: false, change: first.change });

      expect(await refusal(store.applyChange(edit(bob, message.id, 'e-bob', 'mine now')))).toBe('forbidden');
      expect(await refusal(store.applyChange(remove(bob, message.id, 'd-bob')))).toBe('forbidden');
      expect(await refusal(store.applyChange(edit(ada, 999_999, 'e-ghost', 'nothing')))).toBe('not_found');
      // A message of another room is not found through this one.
      await store.joinRoom(ada.id, 'side', 'public');
      const side = (await store.appendMessage(send(ada, 'side', 'side-1'))).message;
      expect(await refusal(store.applyChange(edit(ada, side.id, 'e-wrong-room', 'x')))).toBe('not_found');

      const second = await store.applyChange(edit(ada, message.id, 'e-2', 'hello, world'));
      expect(second.change.rev).toBe(2);
      expect((await store.messagesAfter('general', 0, 10))[0]).toMatchObject({ content: 'hello, world' });
      expect((await store.changesAfter('general', 0, 10)).map((c) => [c.rev, c.content])).toEqual([
        [1, 'hello'],
        [2, 'hello, world'],
      ]);
      expect((await store.changesAfter('general', 1, 10)).map((c) => c.rev)).toEqual([2]);
      expect(await store.lastRevs(['general', 'side', 'nowhere'])).toMatchObject({ general: 2, side: 0 });
      expect((await store.roomsOf(ada.id)).find((room) => room.id === 'general')?.lastRev).toBe(2);
      // Changes never move the message seq: a v1 client's gap-free seqs stay as they were.
      expect((await store.appendMessage(send(ada, 'general', 'm-2'))).message.seq).toBe(2);
    }));

  it('refuses edits outside the configured window and lets deletes through', () =>
    withStore(
      'window',
      async (store) => {
        const ada = await newUser(store, 'Ada');
        const { message } = await store.appendMessage(send(ada, 'general', 'old'));
        await new Promise((resolve) => setTimeout(resolve, 120));
        expect(await refusal(store.applyChange(edit(ada, message.id, 'late', 'too late')))).toBe('forbidden');
        expect((await store.applyChange(remove(ada, message.id, 'late-delete'))).message.deleted).toBe(true);
      },
      { editWindowMs: 50, maxReactionEmoji: 20 },
    ));

  it('deletes to a tombstone: the text, its edits and its reactions leave the store, and a repeat answers the first delete', () =>
    withStore('deletes', async (store) => {
      const ada = await newUser(store, 'Ada');
      const bob = await newUser(store, 'Bob');
      const { message } = await store.appendMessage(send(ada, 'general', 'plan-1', 'my secret plan'));
      await store.applyChange(edit(ada, message.id, 'e-1', 'my revised secret plan'));
      await store.applyChange(react(bob, message.id, 'r-1', '👍'));

      const deleted = await store.applyChange(remove(ada, message.id, 'd-1'));
      expect(deleted.created).toBe(true);
      expect(deleted.message).toMatchObject({ id: message.id, seq: 1, deleted: true, content: '' });
      expect(deleted.message.reactions).toBeUndefined();

      const stored = await store.messagesAfter('general', 0, 10);
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(stored)).not.toContain('secret');
      // The change log keeps the order of events but not the erased words.
      expect(JSON.stringify(await store.changesAfter('general', 0, 10))).not.toContain('secret');
      expect(await store.search({ terms: ['secret'], rooms: ['general'], limit: 10, offset: 0 })).toEqual([]);

      // Deleting again under a new offset answers the first deletion; nothing else may touch a tombstone.
      const repeat = await store.applyChange(remove(ada, message.id, 'd-2'));
      expect(repeat).toMatchObject({ created: false, change: deleted.change });
      expect(await refusal(store.applyChange(edit(ada, message.id, 'e-2', 'back')))).toBe('invalid');
      expect(await refusal(store.applyChange(react(bob, message.id, 'r-2', '🎉')))).toBe('invalid');
      expect((await store.changesAfter('general', 0, 10)).map((c) => c.kind)).toEqual(['edit', 'react', 'delete']);
      await expectRowsAsMessages(store);
    }));

  it('keeps reactions as a set per person and emoji, toggled idempotently, within the distinct-emoji bound', () =>
    withStore(
      'reactions',
      async (store) => {
        const ada = await newUser(store, 'Ada');
        const bob = await newUser(store, 'Bob');
        const { message } = await store.appendMessage(send(ada, 'general', 'm'));

        await store.applyChange(react(bob, message.id, 'r-1', '👍'));
        await store.applyChange(react(ada, message.id, 'r-2', '👍'));
        // The same reaction again, under a new offset, leaves the set as it was.
        const twice = await store.applyChange(react(bob, message.id, 'r-3', '👍'));
        expect(asSets(twice.message.reactions)).toEqual({ '👍': sorted(bob.id, ada.id) });
        // A resend of an earlier toggle is that toggle, not a new one.
        expect((await store.applyChange(react(bob, message.id, 'r-1', '👍'))).created).toBe(false);

        await store.applyChange(react(bob, message.id, 'r-4', '❤️'));
        expect(await refusal(store.applyChange(react(ada, message.id, 'r-5', '🎉')))).toBe('invalid');
        // An emoji already on the message may still be added by someone else.
        expect(asSets((await store.applyChange(react(ada, message.id, 'r-6', '❤️'))).message.reactions)).toEqual({
          '👍': sorted(bob.id, ada.id),
          '❤️': sorted(bob.id, ada.id),
        });

        const off = await store.applyChange(react(bob, message.id, 'r-7', '👍', false));
        expect(off.change).toMatchObject({ kind: 'react', emoji: '👍', on: false, by: { id: bob.id } });
        const offAgain = await store.applyChange(react(ada, message.id, 'r-8', '👍', false));
        expect(asSets(offAgain.message.reactions)).toEqual({ '❤️': sorted(bob.id, ada.id) });
        // With 👍 gone there is room for a second emoji again.
        expect((await store.applyChange(react(ada, message.id, 'r-9', '🎉'))).message.reactions).toHaveProperty('🎉');
        expect(asSets((await store.messagesAfter('general', 0, 1))[0].reactions)).toEqual({ '❤️': sorted(bob.id, ada.id), '🎉': [ada.id] });
        await expectRowsAsMessages(store);
      },
      { editWindowMs: null, maxReactionEmoji: 2 },
    ));

  it('resolves a target given as the author’s clientOffset: replies and reactions to a message sent from the outbox', () =>
    withStore('offsets', async (store) => {
      const ada = await newUser(store, 'Ada');
      const bob = await newUser(store, 'Bob');
      await store.appendMessage(send(ada, 'general', 'typed-offline', 'first line\nsecond line'));

      const reply = await store.appendMessage({ ...send(ada, 'general', 'reply-offline', 'answering myself'), replyTo: 'typed-offline' });
      expect(reply.message.replyTo).toEqual({ id: expect.any(Number), seq: 1, author: ada, preview: 'first line' });
      const reaction = await store.applyChange(react(ada, 'typed-offline', 'r-offline', '👀'));
      expect(reaction.change.targetSeq).toBe(1);
      const edited = await store.applyChange(edit(ada, 'typed-offline', 'e-offline', 'first line, fixed'));
      expect(edited.message.seq).toBe(1);

      // An offset names one of the sender's own messages only: Bob's "typed-offline" is nothing.
      expect(await refusal(store.applyChange(react(bob, 'typed-offline', 'r-bob', '👀')))).toBe('not_found');
      expect(await refusal(store.appendMessage({ ...send(bob, 'general', 'reply-bob'), replyTo: 'typed-offline' }))).toBe('not_found');
      expect(await refusal(store.appendMessage({ ...send(bob, 'general', 'reply-ghost'), replyTo: 424_242 }))).toBe('not_found');
      await expectRowsAsMessages(store);
    }));

  it('keeps reply previews current: an edited parent shows its new first line, a deleted one shows as deleted', () =>
    withStore('replies', async (store) => {
      const ada = await newUser(store, 'Ada');
      const bob = await newUser(store, 'Bob');
      const parent = (await store.appendMessage(send(ada, 'general', 'parent', 'Lunch at noon?'))).message;
      const reply = await store.appendMessage({ ...send(bob, 'general', 'reply', 'Yes!'), replyTo: parent.id });
      expect(reply.message.replyTo).toEqual({ id: parent.id, seq: 1, author: ada, preview: 'Lunch at noon?' });
      // A resent reply is the stored one.
      expect(await store.appendMessage({ ...send(bob, 'general', 'reply', 'Yes!'), replyTo: parent.id })).toEqual({
        created: false,
        message: reply.message,
      });

      await store.applyChange(edit(ada, parent.id, 'e', 'Lunch at one?'));
      expect((await store.messagesAfter('general', 1, 1))[0].replyTo).toMatchObject({ preview: 'Lunch at one?' });
      await store.applyChange(remove(ada, parent.id, 'd'));
      const [afterDelete] = await store.messagesAfter('general', 1, 1);
      expect(afterDelete.replyTo).toEqual({ id: parent.id, seq: 1, deleted: true });
      expect(afterDelete.content).toBe('Yes!');
      // Replying to a deleted message is still a reply, to "deleted message".
      const late = await store.appendMessage({ ...send(bob, 'general', 'late-reply', 'oh'), replyTo: parent.id });
      expect(late.message.replyTo).toEqual({ id: parent.id, seq: 1, deleted: true });
      await expectRowsAsMessages(store);
    }));

  it('keeps delivered and read cursors per member, forward only, read hidden for those who opt out', () =>
    withStore('receipts', async (store) => {
      const ada = await newUser(store, 'Ada');
      const bob = await newUser(store, 'Bob');
      const dm = `dm:${[ada.id, bob.id].sort().join(':')}`;
      await store.joinRoom(ada.id, dm, 'dm');
      await store.joinRoom(bob.id, dm, 'dm');
      for (let n = 1; n <= 3; n++) await store.appendMessage(send(ada, dm, `dm-${n}`));

      expect(await store.markDelivered(bob.id, dm, 2)).toBe(2);
      expect(await store.markDelivered(bob.id, dm, 1)).toBe(2);
      expect(await store.markDelivered(bob.id, dm, 99)).toBe(3);
      expect(await store.markRead(bob.id, dm, 2)).toBe(2);
      const byUser = new Map((await store.receipts(dm)).map((receipt) => [receipt.userId, receipt]));
      expect(byUser.get(bob.id)).toEqual({ room: dm, userId: bob.id, deliveredSeq: 3, readSeq: 2 });
      expect(await store.receiptCounts(dm, 2)).toEqual({ members: 2, delivered: 1, read: 1 });
      expect(await store.receiptCounts(dm, 3)).toEqual({ members: 2, delivered: 1, read: 0 });

      await store.setReadReceipts(bob.id, false);
      const hidden = (await store.receipts(dm)).find((receipt) => receipt.userId === bob.id);
      expect(hidden).toEqual({ room: dm, userId: bob.id, deliveredSeq: 3, readSeq: 0 });
      expect((await store.receiptCounts(dm, 2)).read).toBe(0);
      // Unread counts keep working: Bob's own read cursor is untouched.
      expect((await store.roomsOf(bob.id)).find((room) => room.id === dm)?.readSeq).toBe(2);
      await store.setReadReceipts(bob.id, true);
      expect((await store.receiptCounts(dm, 2)).read).toBe(1);
      // Many at once, as the batcher writes them: each clamped and forward-only, in input order.
      expect(
        await store.markDeliveredMany([
          { userId: ada.id, room: dm, seq: 2 },
          { userId: bob.id, room: dm, seq: 1 },
          { userId: ada.id, room: 'no-such-room', seq: 5 },
        ]),
      ).toEqual([2, 3, 0]);
    }));
}

describe('SQLite store: changes', () => contract(sqliteKind));
describe.skipIf(!pgAvailable)('PostgreSQL store: changes', () => contract(postgresKind));
