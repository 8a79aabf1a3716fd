import { describe, expect, it } from 'vitest';
import { IMAGE_MAX_SIDE, MAX_ATTACHMENTS } from '../../../shared/limits';
import type { Attachment, Message } from '../../../shared/protocol';
import {
  aspectOf,
  attachmentCacheName,
  attachmentIdOfPath,
  fileLabel,
  filesLeft,
  fitWithin,
  heldAttachmentIds,
  isImage,
  pickProblem,
  pinchScale,
  progressOf,
  reencodeTypeOf,
  renamed,
  uploadIdOf,
  uploadLabel,
  uploadOutcomeOf,
} from '../../../client/logic/attachment-logic';
import type { LocalMessage, QueuedFile, SendEntry } from '../../../client/logic/models';
import { unsentMessage, wireOf } from '../../../client/logic/outbox-logic';
import { fromServer } from '../../../client/logic/timeline-logic';

const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const photo: Attachment = { id: ID_A, name: 'cat.jpg', type: 'image/jpeg', size: 1200, width: 800, height: 600, thumbhash: 'AAAA' };

const send = (files: QueuedFile[]): SendEntry => ({
  kind: 'send',
  clientOffset: 'c1',
  authorId: 'u1',
  room: 'general',
  content: '',
  order: 1,
  createdAt: 1,
  files,
});

describe('resizing on the device', () => {
  it('fits the longest side within the limit, keeping the proportions', () => {
    expect(fitWithin(4032, 3024, IMAGE_MAX_SIDE)).toEqual({ width: 2048, height: 1536 });
    expect(fitWithin(3024, 4032, IMAGE_MAX_SIDE)).toEqual({ width: 1536, height: 2048 });
  });

  it('never enlarges a small image, and keeps a sliver at least one pixel wide', () => {
    expect(fitWithin(640, 480, IMAGE_MAX_SIDE)).toEqual({ width: 640, height: 480 });
    expect(fitWithin(100_000, 10, 2048)).toEqual({ width: 2048, height: 1 });
  });

  it('re-encodes photos as JPEG and PNGs as WebP (transparency), leaves GIFs (animation) and files alone', () => {
    expect(reencodeTypeOf('image/jpeg')).toBe('image/jpeg');
    expect(reencodeTypeOf('image/heic')).toBe('image/jpeg');
    expect(reencodeTypeOf('image/png')).toBe('image/webp');
    expect(reencodeTypeOf('image/gif')).toBeUndefined();
    expect(reencodeTypeOf('image/svg+xml')).toBeUndefined();
    expect(reencodeTypeOf('application/pdf')).toBeUndefined();
    expect(reencodeTypeOf('')).toBeUndefined();
  });

  it('renames a re-encoded file after its new type, keeping the stem', () => {
    expect(renamed('IMG_0001.HEIC', 'image/jpeg')).toBe('IMG_0001.jpg');
    expect(renamed('shot.png', 'image/webp')).toBe('shot.webp');
    expect(renamed('no-extension', 'image/jpeg')).toBe('no-extension.jpg');
    expect(renamed('.hidden', 'image/jpeg')).toBe('.hidden.jpg');
    expect(renamed('', 'image/jpeg')).toBe('image.jpg');
    expect(renamed('clip.gif', 'image/gif')).toBe('clip.gif');
  });
});

describe('what may be picked', () => {
  const file = (name: string, size = 10) => ({ name, size });

  it('accepts up to the per-message limit', () => {
    expect(
      pickProblem(
        Array.from({ length: MAX_ATTACHMENTS }, (_, index) => file(`f${index}`)),
        0,
      ),
    ).toBeUndefined();
  });

  it('says so beyond the limit, counting what is already in the tray', () => {
    expect(pickProblem([file('a'), file('b')], MAX_ATTACHMENTS - 1)).toBe(`At most ${MAX_ATTACHMENTS} files per message.`);
  });

  it('names a file over the size limit, and refuses an empty one', () => {
    expect(pickProblem([file('small'), file('huge.mov', 30 * 1024 * 1024)], 0, 25 * 1024 * 1024)).toBe('huge.mov is larger than 25 MB.');
    expect(pickProblem([file('empty.txt', 0)], 0)).toBe('An empty file cannot be sent.');
  });
});

describe('uploads', () => {
  it('read the tus upload id from the last segment of its URL, and nothing else', () => {
    expect(uploadIdOf('/api/uploads/0123456789abcdef0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef');
    expect(uploadIdOf('http://localhost:3000/api/uploads/abc_DEF-1?x=1#y')).toBe('abc_DEF-1');
    expect(uploadIdOf('/api/uploads/')).toBeUndefined();
    expect(uploadIdOf('/api/uploads/..%2F..%2Fetc')).toBeUndefined();
  });

  it('leave out files already finalized, in order', () => {
    expect(
      filesLeft(
        send([
          { name: 'a', type: 'image/jpeg', size: 1, attachment: photo },
          { name: 'b', type: 'text/plain', size: 2 },
        ]),
      ),
    ).toEqual([1]);
    expect(filesLeft({ ...send([]), files: undefined })).toEqual([]);
  });

  it('measure progress in bytes: finished files whole, others by what the server holds', () => {
    const files = [{ size: 100, attachment: photo }, { size: 300 }];
    expect(progressOf(files, new Map())).toBe(0.25);
    expect(progressOf(files, new Map([[1, 150]]))).toBe(0.625);
    expect(progressOf(files, new Map([[1, 999]]))).toBe(1);
    expect(progressOf([], new Map())).toBe(0);
  });

  it('retry what may pass later, start over what the server lost, and fail what it refuses', () => {
    expect(uploadOutcomeOf(undefined)).toEqual({ kind: 'retry' });
    expect(uploadOutcomeOf(503)).toEqual({ kind: 'retry' });
    expect(uploadOutcomeOf(409)).toEqual({ kind: 'retry' });
    expect(uploadOutcomeOf(429)).toEqual({ kind: 'retry' });
    expect(uploadOutcomeOf(404)).toEqual({ kind: 'restart' });
    expect(uploadOutcomeOf(415)).toMatchObject({
      kind: 'failed',
      error: { code: 'invalid', message: 'This type of file cannot be sent.' },
    });
    expect(uploadOutcomeOf(413)).toMatchObject({ kind: 'failed', error: { code: 'invalid' } });
  });

  it('are said in words for the progress ring', () => {
    expect(uploadLabel(1, 0.404)).toBe('Uploading 1 file, 40%');
    expect(uploadLabel(3, 1)).toBe('Uploading 3 files, 100%');
  });
});

describe('a send carrying files', () => {
  it('goes out with the attachment ids in the order picked, once all are finalized', () => {
    const entry = send([
      { name: 'cat.jpg', type: 'image/jpeg', size: 1200, attachment: photo },
      { name: 'notes.txt', type: 'text/plain', size: 5, attachment: { ...photo, id: ID_B, name: 'notes.txt', type: 'text/plain' } },
    ]);
    expect(wireOf(entry)).toEqual({
      event: 'message:send',
      payload: { room: 'general', clientOffset: 'c1', content: '', attachments: [ID_A, ID_B] },
    });
  });

  it('is shown at once with what the device knows of its files, the server’s attachment once finalized', () => {
    const entry = send([
      { name: 'cat.jpg', type: 'image/jpeg', size: 1200, width: 800, height: 600, uploadUrl: '/api/uploads/x', attachment: photo },
      { name: 'dog.jpg', type: 'image/jpeg', size: 900, width: 10, height: 20, uploadUrl: '/api/uploads/y' },
    ]);
    const message = unsentMessage(entry, { id: 'u1', name: 'Ann' });
    expect(message.attachments).toEqual([photo, { name: 'dog.jpg', type: 'image/jpeg', size: 900, width: 10, height: 20 }]);
    expect(message.state).toBe('pending');
  });

  it('keeps the attachments the server stored with the message', () => {
    const server: Message = {
      id: 1,
      room: 'general',
      seq: 1,
      author: { id: 'u2', name: 'Bo' },
      clientOffset: 'x',
      content: '',
      ts: 1,
      attachments: [photo],
    };
    expect(fromServer(server).attachments).toEqual([photo]);
    expect(fromServer({ ...server, attachments: undefined }).attachments).toBeUndefined();
  });
});

describe('the timeline', () => {
  it('draws the types the server thumbnails as photos, everything else as a file card', () => {
    expect(isImage(photo)).toBe(true);
    expect(isImage({ type: 'image/gif' })).toBe(true);
    expect(isImage({ type: 'image/svg+xml' })).toBe(false);
    expect(isImage({ type: 'application/pdf' })).toBe(false);
  });

  it('gives a photo its box before it loads, cropping extreme shapes', () => {
    expect(aspectOf({ width: 800, height: 600 })).toBeCloseTo(4 / 3);
    expect(aspectOf({ width: 5000, height: 100 })).toBe(2);
    expect(aspectOf({ width: 100, height: 5000 })).toBe(0.5);
    expect(aspectOf({})).toBe(1);
  });

  it('labels a file card with its name and size', () => {
    expect(fileLabel({ name: 'report.pdf', size: 1_258_291 })).toBe('report.pdf, 1.2 MB');
  });

  it('keeps the viewer’s zoom between 1 and 8 as fingers move apart or together', () => {
    expect(pinchScale(1, 100, 200)).toBe(2);
    expect(pinchScale(2, 100, 50)).toBe(1);
    expect(pinchScale(4, 100, 1000)).toBe(8);
    expect(pinchScale(3, 0, 10)).toBe(3);
  });
});

describe('the cache of seen attachments', () => {
  it('is one per room, and keeps only what the room’s stored messages carry', () => {
    expect(attachmentCacheName('general')).toBe('attachments:general');
    const timeline = [
      { attachments: [photo, { name: 'queued.jpg', type: 'image/jpeg', size: 1 }] },
      { attachments: [{ ...photo, id: ID_B }] },
      {},
    ] as LocalMessage[];
    expect(heldAttachmentIds(timeline)).toEqual(new Set([ID_A, ID_B]));
  });

  it('reads the attachment id of a cached request, thumbnail or file', () => {
    expect(attachmentIdOfPath(`/api/attachments/${ID_A}`)).toBe(ID_A);
    expect(attachmentIdOfPath(`/api/attachments/${ID_A}/thumb`)).toBe(ID_A);
    expect(attachmentIdOfPath('/api/attachments/nothex/thumb')).toBeUndefined();
  });
});
