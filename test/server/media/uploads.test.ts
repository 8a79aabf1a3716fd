/**
 * The tus server of attachments (server/media/uploads.ts) through its web handler: each upload
 * records its owner (whatever the client sent), refuses uploads without a name and type or a
 * length, and unfinished uploads expire and are swept.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openUploads } from '../../../server/media/uploads';
import { tempDir } from '../../support/server';

const dir = tempDir('chat-uploads-');
afterAll(() => dir.remove());
const b64 = (text: string) => Buffer.from(text).toString('base64');

function create(uploads: ReturnType<typeof openUploads>, userId: string, headers: Record<string, string>) {
  return uploads.handle(
    new Request('http://chat.test/api/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0', ...headers } }),
    userId,
  );
}

describe('uploads', () => {
  it('keeps the creator as owner, over an owner the client claimed', async () => {
    const uploads = openUploads({ blobDir: join(dir.path, 'a'), maxBytes: 1000 }, []);
    try {
      const created = await create(uploads, 'ana', {
        'upload-length': '5',
        'upload-metadata': `filename ${b64('a.txt')},filetype ${b64('text/plain')},owner ${b64('mallory')}`,
      });
      expect(created.status).toBe(201);
      const id = created.headers.get('location')?.split('/').pop() ?? '';
      expect(created.headers.get('location')).toBe(`/api/uploads/${id}`);
      expect(await uploads.info(id)).toMatchObject({ owner: 'ana', offset: 0, size: 5, filename: 'a.txt', filetype: 'text/plain' });
      expect(await uploads.info('../../etc')).toBeNull();
    } finally {
      uploads.close();
    }
  });

  it('refuses an upload without filename and filetype, without a length, or over the limit', async () => {
    const uploads = openUploads({ blobDir: join(dir.path, 'b'), maxBytes: 1000 }, []);
    try {
      expect((await create(uploads, 'ana', { 'upload-length': '5' })).status).toBe(400);
      expect((await create(uploads, 'ana', { 'upload-length': '5', 'upload-metadata': `filename ${b64('a')}` })).status).toBe(400);
      expect(
        (await create(uploads, 'ana', { 'upload-defer-length': '1', 'upload-metadata': `filename ${b64('a')},filetype ${b64('a/b')}` }))
          .status,
      ).toBe(400);
      expect(
        (await create(uploads, 'ana', { 'upload-length': '1001', 'upload-metadata': `filename ${b64('a')},filetype ${b64('a/b')}` }))
          .status,
      ).toBe(413);
    } finally {
      uploads.close();
    }
  });

  it('sweeps unfinished uploads once they expire', async () => {
    const uploads = openUploads({ blobDir: join(dir.path, 'c'), maxBytes: 1000 }, [], 200);
    try {
      const created = await create(uploads, 'ana', {
        'upload-length': '5',
        'upload-metadata': `filename ${b64('a')},filetype ${b64('a/b')}`,
      });
      const id = created.headers.get('location')?.split('/').pop() ?? '';
      expect(created.headers.get('upload-expires')).toBeTruthy();
      expect(await uploads.sweep()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await uploads.sweep()).toBe(1);
      expect(await uploads.info(id)).toBeNull();
    } finally {
      uploads.close();
    }
  });
});
