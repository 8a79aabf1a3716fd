/**
 * The attachment records contract (#18), held against both stores: finalizes recorded once per
 * upload, blob facts once per id, messages that carry attachments in every way they are read,
 * exactly once, and the room links that every read of an attachment is checked against.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { messagesOfPacked } from '../../../shared/message-packed';
import { messagesOfRows } from '../../../shared/message-rows';
import type { Attachment, MessagePacked, MessageRows } from '../../../shared/protocol';
import { searchTerms } from '../../../shared/search-terms';
import type { Store } from '../../../server/store/store';
import { postgresProblem, shouldRun } from '../../support/services';
import { newUser, postgresKind, send, sqliteKind, type StoreKind } from '../../support/store-kinds';

const pgAvailable = shouldRun('PostgreSQL attachment contract', await postgresProblem());

let counter = 0;
/** A fresh attachment (a unique id per call): a photo unless `type` says otherwise. */
function attachment(name: string, type = 'image/jpeg'): Attachment {
  const id = (++counter).toString(16).padStart(8, '0').repeat(8);
  return type.startsWith('image/')
    ? { id, name, type, size: 1234, width: 640, height: 480, thumbhash: 'YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw==' }
    : { id, name, type, size: 99 };
}

function contract(makeKind: () => StoreKind): void {
  const kind = makeKind();
  afterAll(() => kind.cleanup());

  const withStore = async (name: string, body: (store: Store) => Promise<void>) => {
    const store = await kind.open(name);
    try {
      await body(store);
    } finally {
      await store.close();
    }
  };

  it('records a finalize once per upload: a repeat answers the first record', () =>
    withStore('finalize', async (store) => {
      const ada = await newUser(store, 'Ada');
      const photo = attachment('beach.jpg');
      expect(await store.finalizedUpload('up-1')).toBeNull();
      const first = await store.recordAttachment({ uploadId: 'up-1', userId: ada.id, attachment: photo });
      expect(first).toEqual({ uploadId: 'up-1', userId: ada.id, attachment: photo, created: true });
      const again = await store.recordAttachment({ uploadId: 'up-1', userId: ada.id, attachment: { ...photo, name: 'renamed.jpg' } });
      expect(again).toEqual({ uploadId: 'up-1', userId: ada.id, attachment: photo, created: false });
      expect(await store.finalizedUpload('up-1')).toEqual({ uploadId: 'up-1', userId: ada.id, attachment: photo });
      // A file without image fields has none in its record.
      const pdf = attachment('notes.pdf', 'application/pdf');
      expect((await store.recordAttachment({ uploadId: 'up-2', userId: ada.id, attachment: pdf })).attachment).toEqual(pdf);
    }));

  it('keeps one blob for the same bytes, named per finalize; only one’s own finalizes are one’s own', () =>
    withStore('same-bytes', async (store) => {
      const [ada, bob] = [await newUser(store, 'Ada'), await newUser(store, 'Bob')];
      const photo = attachment('IMG_0001.jpg');
      await store.recordAttachment({ uploadId: 'a-1', userId: ada.id, attachment: photo });
      await store.recordAttachment({ uploadId: 'b-1', userId: bob.id, attachment: { ...photo, name: 'from-bob.jpg' } });
      expect(await store.attachmentsFinalizedBy(ada.id, [photo.id])).toEqual([photo]);
      expect(await store.attachmentsFinalizedBy(bob.id, [photo.id])).toEqual([{ ...photo, name: 'from-bob.jpg' }]);
      const other = attachment('other.jpg');
      await store.recordAttachment({ uploadId: 'b-2', userId: bob.id, attachment: other });
      expect(await store.attachmentsFinalizedBy(ada.id, [photo.id, other.id])).toEqual([photo]);
      // Finalizing the same bytes again later under another name: the newest name wins.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store.recordAttachment({ uploadId: 'a-2', userId: ada.id, attachment: { ...photo, name: 'beach.jpg' } });
      expect(await store.attachmentsFinalizedBy(ada.id, [photo.id])).toEqual([{ ...photo, name: 'beach.jpg' }]);
    }));

  it('stores a message with its attachments in order, exactly once, and every read carries them', () =>
    withStore('messages', async (store) => {
      const ada = await newUser(store, 'Ada');
      const [photo, pdf] = [attachment('a.jpg'), attachment('b.pdf', 'application/pdf')];
      for (const [index, item] of [pdf, photo].entries())
        await store.recordAttachment({ uploadId: `m-${index}`, userId: ada.id, attachment: item });
      const input = { ...send(ada, 'general', 'with-files', 'holiday pictures'), attachments: [pdf, photo] };
      const first = await store.appendMessage(input);
      expect(first.created).toBe(true);
      expect(first.message.attachments).toEqual([pdf, photo]);
      const repeat = await store.appendMessage({ ...input, attachments: [photo] });
      expect(repeat).toEqual({ created: false, message: first.message });

      const plain = (await store.appendMessage(send(ada, 'general', 'plain'))).message;
      expect('attachments' in plain).toBe(false);
      expect(await store.messagesAfter('general', 0, 10)).toEqual([first.message, plain]);
      expect(await store.messagesBefore('general', 10, 10)).toEqual([first.message, plain]);
      expect(JSON.parse((await store.encodedMessagesAfter('general', 0, 10)).json)).toEqual([first.message, plain]);
      expect(JSON.parse((await store.encodedMessagesBefore('general', 10, 10)).json)).toEqual([first.message, plain]);
      // The encoded page is the same text JSON.stringify writes (keys in the same order).
      expect((await store.encodedMessagesAfter('general', 0, 1)).json).toBe(JSON.stringify([first.message]));
      expect(messagesOfRows(JSON.parse((await store.encodedRowsAfter('general', 0, 10)).json) as MessageRows)).toEqual([
        first.message,
        plain,
      ]);
      expect(messagesOfPacked(JSON.parse((await store.encodedPackedAfter('general', 0, 10)).json) as MessagePacked)).toEqual([
        first.message,
        plain,
      ]);
      for (let tries = 0; ; tries++) {
        const hits = await store.search({ terms: searchTerms('holiday'), rooms: ['general'], limit: 5, offset: 0 });
        if (hits.length === 1) {
          expect(hits[0].message).toEqual(first.message);
          break;
        }
        if (tries > 50) throw new Error('the message never became findable');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await store.attachmentRooms(photo.id, 10)).toEqual([{ room: 'general', attachment: photo }]);
    }));

  it('links attachments to the rooms that carry them, public rooms first, until the message is deleted', () =>
    withStore('links', async (store) => {
      const [ada, bob] = [await newUser(store, 'Ada'), await newUser(store, 'Bob')];
      const photo = attachment('shared.jpg');
      await store.recordAttachment({ uploadId: 'l-1', userId: ada.id, attachment: photo });
      const dm = ada.id < bob.id ? `dm:${ada.id}:${bob.id}` : `dm:${bob.id}:${ada.id}`;
      await store.joinRoom(ada.id, dm, 'dm');
      await store.joinRoom(bob.id, dm, 'dm');
      await store.joinRoom(ada.id, 'books', 'public');
      const inDm = (await store.appendMessage({ ...send(ada, dm, 'dm-photo', ''), attachments: [photo] })).message;
      await store.appendMessage({ ...send(ada, 'books', 'books-photo', 'cover'), attachments: [{ ...photo, name: 'cover.jpg' }] });
      expect(await store.attachmentRooms(photo.id, 10)).toEqual([
        { room: 'books', attachment: { ...photo, name: 'cover.jpg' } },
        { room: dm, attachment: photo },
      ]);
      expect(await store.attachmentRooms(photo.id, 1)).toEqual([{ room: 'books', attachment: { ...photo, name: 'cover.jpg' } }]);

      const deleted = await store.applyChange({ kind: 'delete', room: dm, author: ada, target: inDm.id, clientOffset: 'del-1' });
      expect(deleted.message).toMatchObject({ deleted: true, content: '' });
      expect('attachments' in deleted.message).toBe(false);
      const [tombstone] = await store.messagesAfter(dm, 0, 10);
      expect('attachments' in tombstone).toBe(false);
      expect(JSON.parse((await store.encodedMessagesAfter(dm, 0, 10)).json)).toEqual([tombstone]);
      expect(messagesOfRows(JSON.parse((await store.encodedRowsAfter(dm, 0, 10)).json) as MessageRows)).toEqual([tombstone]);
      expect(messagesOfPacked(JSON.parse((await store.encodedPackedAfter(dm, 0, 10)).json) as MessagePacked)).toEqual([tombstone]);
      expect(await store.attachmentRooms(photo.id, 10)).toEqual([{ room: 'books', attachment: { ...photo, name: 'cover.jpg' } }]);
    }));
}

describe('SQLite store: attachments', () => contract(sqliteKind));
describe.skipIf(!pgAvailable)('PostgreSQL store: attachments', () => contract(postgresKind));
