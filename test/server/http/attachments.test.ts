/**
 * Attachments (#18) end to end on the built server: tus uploads from tus-js-client, finalize,
 * sending with message:send over a real socket, and reads, as the PWA does them. A DM's
 * attachment never reaches a third person, a file lying about its type is refused, a dropped
 * upload resumes from the server's offset, nothing is stored or sent twice, and a photo's GPS
 * position does not survive the server.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { Attachment, Message } from '../../../shared/protocol';
import { connectAndCatchUp, createSession, waitFor } from '../../support/clients';
import { tempDir, useServer, type ServerOptions } from '../../support/server';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL, urlWithSchema } from '../../support/services';
import { finalize, hasGpsPointer, photoWithGps, read, tusUpload } from '../../support/uploads';

const bytesOf = async (response: Response) => Buffer.from(await response.arrayBuffer());
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

const pgAvailable = shouldRun('attachments on PostgreSQL', await postgresProblem());
const schema = freshSchemaName('chat_attachments');
const sharedVolume = tempDir('chat-shared-blobs-');
afterAll(async () => {
  sharedVolume.remove();
  if (pgAvailable) await dropSchema(schema);
});

/** Where a mode keeps its blobs: beside the SQLite file by default, a shared folder with PostgreSQL. */
type Mode = { store: string; run: boolean; options: ServerOptions; blobDir?: string };
const modes: Mode[] = [
  { store: 'SQLite', run: true, options: { workers: 1 } },
  // Every request may reach another worker: uploads, finalize and reads share the folder and the file.
  { store: 'SQLite, 2 workers', run: true, options: { workers: 2 } },
  {
    store: 'PostgreSQL',
    run: pgAvailable,
    options: { workers: 1, env: { CHAT_DATABASE_URL: urlWithSchema(TEST_DATABASE_URL, schema), CHAT_BLOB_DIR: sharedVolume.path } },
    blobDir: sharedVolume.path,
  },
];

describe.each(modes)('attachments on $store', ({ run, options, blobDir }) => {
  const server = useServer(run ? options : { workers: 1 });
  const url = () => server().url;
  const blobsAt = () => blobDir ?? join(dirname(server().dbPath), 'blobs');

  async function uploadAndFinalize(token: string, bytes: Buffer, filename: string, filetype: string): Promise<Attachment> {
    const upload = await tusUpload(url(), token, bytes, { filename, filetype });
    const { status, body } = await finalize(url(), token, upload.id);
    expect(status, JSON.stringify(body)).toBe(201);
    return body;
  }

  async function openDm(token: string, peerId: string): Promise<string> {
    const client = await connectAndCatchUp(url(), token);
    const answer = await client.socket.emitWithAck('dm:open', { userId: peerId });
    client.socket.close();
    if (!answer.ok) throw new Error(answer.error.message);
    return answer.room;
  }

  it.skipIf(!run)(
    'uploads, finalizes (EXIF and GPS stripped, rotated, thumbnailed), sends into a DM, and the other member reads it; a third person cannot',
    async () => {
      const [ana, bob, cyd] = [await createSession(url(), 'Ana'), await createSession(url(), 'Bob'), await createSession(url(), 'Cyd')];
      const dm = await openDm(ana.token, bob.user.id);
      const photo = await photoWithGps();
      const taken = await sharp(photo).metadata();
      expect(hasGpsPointer(taken.exif)).toBe(true);
      expect([taken.width, taken.height, taken.orientation]).toEqual([400, 300, 6]);

      const attachment = await uploadAndFinalize(ana.token, photo, 'IMG_0042.jpg', 'image/jpeg');
      expect(attachment).toMatchObject({ name: 'IMG_0042.jpg', type: 'image/jpeg', width: 300, height: 400 });
      expect(attachment.id).toMatch(/^[0-9a-f]{64}$/);
      expect(attachment.thumbhash).toMatch(/^[A-Za-z0-9+/]+=*$/);

      const bobLive = await connectAndCatchUp(url(), bob.token);
      const live: Message[] = [];
      bobLive.socket.on('message:new', (message) => live.push(message));
      const anaClient = await connectAndCatchUp(url(), ana.token);
      const sent = await anaClient.socket.emitWithAck('message:send', {
        room: dm,
        clientOffset: 'photo-1',
        content: '',
        attachments: [attachment.id],
      });
      expect(sent.ok).toBe(true);
      if (!sent.ok) return;
      expect(sent.message).toMatchObject({ room: dm, content: '', attachments: [attachment] });
      await waitFor(() => live.length === 1, 5000, 'Bob to receive the photo');
      expect(live[0]).toEqual(sent.message);

      // Bob reads the bytes and the thumbnail; the stored image has no EXIF at all.
      const full = await read(url(), bob.token, attachment.id);
      expect(full.status).toBe(200);
      expect(full.headers.get('content-type')).toBe('image/jpeg');
      expect(full.headers.get('content-disposition')).toBe(`inline; filename="IMG_0042.jpg"; filename*=UTF-8''IMG_0042.jpg`);
      expect(full.headers.get('x-content-type-options')).toBe('nosniff');
      expect(full.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(full.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
      expect(full.headers.get('etag')).toBe(`"${attachment.id}"`);
      const stored = await bytesOf(full);
      expect(stored.length).toBe(attachment.size);
      const storedMeta = await sharp(stored).metadata();
      expect(storedMeta.exif).toBeUndefined();
      expect(hasGpsPointer(storedMeta.exif)).toBe(false);
      expect(stored.includes(Buffer.from('LeakyCam'))).toBe(false);
      expect([storedMeta.width, storedMeta.height]).toEqual([300, 400]);
      const thumb = await read(url(), bob.token, `${attachment.id}/thumb`);
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toBe('image/webp');
      const thumbMeta = await sharp(await bytesOf(thumb)).metadata();
      expect(thumbMeta.format).toBe('webp');
      expect(Math.max(thumbMeta.width ?? 0, thumbMeta.height ?? 0)).toBe(320);

      // A third person gets 404 for the bytes and the thumbnail, exactly as for an id that does not exist.
      for (const path of [attachment.id, `${attachment.id}/thumb`, 'f'.repeat(64)]) {
        const refused = await read(url(), cyd.token, path);
        expect(refused.status).toBe(404);
        expect(await refused.json()).toMatchObject({ error: { code: 'not_found' } });
      }
      // …and cannot send it either, even knowing its id.
      const cydClient = await connectAndCatchUp(url(), cyd.token);
      const stolen = await cydClient.socket.emitWithAck('message:send', {
        room: 'general',
        clientOffset: 'steal',
        content: 'look',
        attachments: [attachment.id],
      });
      expect(stolen).toMatchObject({ ok: false, error: { code: 'invalid' } });

      // Catch-up and HTTP history carry the attachment too.
      const bobLater = await connectAndCatchUp(url(), bob.token);
      expect(bobLater.messages.find((message) => message.room === dm)?.attachments).toEqual([attachment]);
      const history = await fetch(`${url()}/api/rooms/${encodeURIComponent(dm)}/messages`, {
        headers: { authorization: `Bearer ${bob.token}` },
      });
      expect(((await history.json()) as { messages: Message[] }).messages.at(-1)?.attachments).toEqual([attachment]);
      for (const client of [bobLive, anaClient, cydClient, bobLater]) client.socket.close();
    },
  );

  it.skipIf(!run)('refuses a file whose bytes contradict its claimed type, or are not allowed, and deletes its upload', async () => {
    const ana = await createSession(url(), 'Ana');
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120)]);
    for (const [bytes, filename, filetype] of [
      [PDF, 'cat.png', 'image/png'],
      [elf, 'cat.png', 'image/png'],
      [elf, 'tool', 'application/octet-stream'],
      [Buffer.from([0x41, 0x00, 0xff, 0xfe, 0x42]), 'binary.txt', 'text/plain'],
    ] as const) {
      const upload = await tusUpload(url(), ana.token, bytes, { filename, filetype });
      const refused = await finalize(url(), ana.token, upload.id);
      expect(refused.status, `${filename} as ${filetype}`).toBe(415);
      expect(refused.body.error?.code).toBe('invalid');
      expect((await finalize(url(), ana.token, upload.id)).status).toBe(404);
    }
    // The same PDF told the truth is fine, and served for download, never inline.
    const pdf = await uploadAndFinalize(ana.token, PDF, 'notes.pdf', 'application/pdf');
    expect(pdf).toEqual({ id: pdf.id, name: 'notes.pdf', type: 'application/pdf', size: PDF.length });
    const served = await read(url(), ana.token, pdf.id);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect((await bytesOf(served)).equals(PDF)).toBe(true);
    // Plain text is believed when it is text.
    const text = await uploadAndFinalize(ana.token, Buffer.from('héllo, wörld\n'), '../../etc/notes.txt', 'text/plain');
    expect(text).toMatchObject({ name: 'notes.txt', type: 'text/plain' });
    // A page in a .txt is text too: served as text, for download, sandboxed, never run.
    const page = await uploadAndFinalize(ana.token, Buffer.from('<html><script>alert(1)</script></html>'), 'page.txt', 'text/plain');
    const asText = await read(url(), ana.token, page.id);
    expect(asText.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(asText.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(asText.headers.get('x-content-type-options')).toBe('nosniff');
    expect(asText.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
  });

  it.skipIf(!run)('resumes an upload dropped half-way from the offset the server holds, without starting over', async () => {
    const ana = await createSession(url(), 'Ana');
    const chunk = 256 * 1024;
    const bytes = Buffer.concat([await photoWithGps(1600, 1200), Buffer.alloc(0)]);
    const total = Math.max(bytes.length, 4 * chunk);
    const file = bytes.length >= total ? bytes : Buffer.concat([bytes, Buffer.alloc(total - bytes.length)]);
    // A JPEG padded after its end marker is still that JPEG.
    const first = await tusUpload(
      url(),
      ana.token,
      file,
      { filename: 'big.jpg', filetype: 'image/jpeg' },
      { chunkSize: chunk, stopAfterChunk: (accepted) => accepted >= 2 * chunk },
    );
    expect(first.finished).toBe(false);

    const head = await fetch(first.url, { method: 'HEAD', headers: { authorization: `Bearer ${ana.token}`, 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBe(2 * chunk);
    expect(Number(head.headers.get('upload-length'))).toBe(file.length);
    expect(await finalize(url(), ana.token, first.id)).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });

    const requests: Array<{ method: string; offset: string | undefined }> = [];
    const resumed = await tusUpload(
      url(),
      ana.token,
      file,
      { filename: 'big.jpg', filetype: 'image/jpeg' },
      { chunkSize: chunk, uploadUrl: first.url, requests },
    );
    expect(resumed).toMatchObject({ url: first.url, finished: true });
    // No new upload, and the first chunk sent continues at the server's offset.
    expect(requests.map((request) => request.method)).not.toContain('POST');
    expect(requests.find((request) => request.method === 'PATCH')?.offset).toBe(String(offset));
    expect(requests.filter((request) => request.method === 'PATCH')).toHaveLength(Math.ceil((file.length - offset) / chunk));
    expect((await finalize(url(), ana.token, first.id)).status).toBe(201);
  });

  it.skipIf(!run)(
    'never duplicates: finalizing again answers the same attachment, the same bytes are one blob, a resend is one message',
    async () => {
      const ana = await createSession(url(), 'Ana');
      const photo = await photoWithGps(200, 200, { r: 10, g: 120, b: 200 });
      const upload = await tusUpload(url(), ana.token, photo, { filename: 'same.jpg', filetype: 'image/jpeg' });
      const first = await finalize(url(), ana.token, upload.id);
      expect(first.status).toBe(201);
      const again = await finalize(url(), ana.token, upload.id);
      expect(again).toEqual({ status: 200, body: first.body });
      // Someone else cannot finalize (or learn of) Ana's upload.
      const bob = await createSession(url(), 'Bob');
      expect((await finalize(url(), bob.token, upload.id)).status).toBe(404);

      // The same photo uploaded again (after a crash, from another device) is the same blob, stored once.
      const second = await uploadAndFinalize(ana.token, photo, 'same-again.jpg', 'image/jpeg');
      expect(second.id).toBe(first.body.id);
      const folder = join(blobsAt(), second.id.slice(0, 2));
      expect(
        readdirSync(folder)
          .filter((name) => name.startsWith(second.id))
          .sort(),
      ).toEqual([second.id, `${second.id}.thumb.webp`]);

      const client = await connectAndCatchUp(url(), ana.token);
      const payload = { room: 'general', clientOffset: 'once', content: 'twice?', attachments: [second.id] };
      const [a, b] = [await client.socket.emitWithAck('message:send', payload), await client.socket.emitWithAck('message:send', payload)];
      expect(a.ok && b.ok).toBe(true);
      if (!a.ok || !b.ok) return;
      expect(b.message).toEqual(a.message);
      expect(a.message.attachments).toEqual([{ ...second, name: 'same-again.jpg' }]);
      client.socket.close();
      const history = await fetch(`${url()}/api/rooms/general/messages`, { headers: { authorization: `Bearer ${ana.token}` } });
      const messages = ((await history.json()) as { messages: Message[] }).messages;
      expect(messages.filter((message) => message.clientOffset === 'once')).toHaveLength(1);
    },
  );

  it.skipIf(!run)('serves ranges, 304 for a known ETag, and 416 past the end', async () => {
    const ana = await createSession(url(), 'Ana');
    const pdf = await uploadAndFinalize(ana.token, Buffer.concat([PDF, Buffer.alloc(5000, 0x20)]), 'long.pdf', 'application/pdf');
    const whole = await bytesOf(await read(url(), ana.token, pdf.id));
    const part = await read(url(), ana.token, pdf.id, { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${pdf.size}`);
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect((await bytesOf(part)).equals(whole.subarray(100, 200))).toBe(true);
    const tail = await read(url(), ana.token, pdf.id, { range: 'bytes=-10' });
    expect((await bytesOf(tail)).equals(whole.subarray(-10))).toBe(true);
    const past = await read(url(), ana.token, pdf.id, { range: `bytes=${pdf.size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${pdf.size}`);
    const cached = await read(url(), ana.token, pdf.id, { 'if-none-match': `"${pdf.id}"` });
    expect(cached.status).toBe(304);
    const head = await fetch(`${url()}/api/attachments/${pdf.id}`, { method: 'HEAD', headers: { authorization: `Bearer ${ana.token}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(pdf.size));

    // Posting over HTTP carries attachments as the socket does, exactly once.
    const post = (status: number) =>
      fetch(`${url()}/api/rooms/general/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientOffset: 'http-file', content: '', attachments: [pdf.id] }),
      }).then(async (response) => {
        expect(response.status).toBe(status);
        return ((await response.json()) as { message: Message }).message;
      });
    const posted = await post(201);
    expect(posted.attachments).toEqual([pdf]);
    expect(await post(200)).toEqual(posted);
  });

  it.skipIf(!run)('answers 401 without a session, 413 for an upload over the limit, 404 for another person’s upload', async () => {
    expect(
      (await fetch(`${url()}/api/uploads`, { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } })).status,
    ).toBe(401);
    expect((await read(url(), null, 'a'.repeat(64))).status).toBe(401);
    expect(
      (await fetch(`${url()}/api/attachments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"upload":"x"}' }))
        .status,
    ).toBe(401);

    const ana = await createSession(url(), 'Ana');
    const metadata = `filename ${Buffer.from('huge.bin').toString('base64')},filetype ${Buffer.from('application/zip').toString('base64')}`;
    const tooBig = await fetch(`${url()}/api/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ana.token}`,
        'tus-resumable': '1.0.0',
        'upload-length': String(25 * 1024 * 1024 + 1),
        'upload-metadata': metadata,
      },
    });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toMatchObject({ error: { code: 'too_long' } });
    const noName = await fetch(`${url()}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ana.token}`, 'tus-resumable': '1.0.0', 'upload-length': '10' },
    });
    expect(noName.status).toBe(400);

    const upload = await tusUpload(
      url(),
      ana.token,
      PDF,
      { filename: 'mine.pdf', filetype: 'application/pdf' },
      { stopAfterChunk: () => true, chunkSize: 16 },
    );
    const bob = await createSession(url(), 'Bob');
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const answer = await fetch(upload.url, {
        method,
        headers: {
          authorization: `Bearer ${bob.token}`,
          'tus-resumable': '1.0.0',
          'upload-offset': '16',
          'content-type': 'application/offset+octet-stream',
        },
        body: method === 'PATCH' ? 'stolen bytes' : undefined,
      });
      expect(answer.status, method).toBe(404);
    }
    const mine = await fetch(upload.url, { method: 'HEAD', headers: { authorization: `Bearer ${ana.token}`, 'tus-resumable': '1.0.0' } });
    expect(mine.headers.get('upload-offset')).toBe('16');
  });
});
