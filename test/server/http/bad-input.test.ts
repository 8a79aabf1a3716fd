/** Bad HTTP input gets its status and code, never a stack, never a stored row. */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { useTestApp } from '../../support/app';

describe('bad HTTP input gets its code and nothing else', () => {
  const testApp = useTestApp();

  it.each([
    ['a non-JSON body', '/api/rooms/general/messages', 'not json', 400, 'invalid'],
    ['a missing content', '/api/rooms/general/messages', { clientOffset: 'h1' }, 400, 'invalid'],
    ['4001 chars', '/api/rooms/general/messages', { clientOffset: 'h2', content: 'y'.repeat(4001) }, 413, 'too_long'],
    ['a bad room', '/api/rooms/No%20Room/messages', { clientOffset: 'h3', content: 'hi' }, 400, 'invalid'],
    ['a DM of others', '/api/rooms/dm:aaaa:bbbb/messages', { clientOffset: 'h4', content: 'hi' }, 403, 'forbidden'],
    ['a room never joined', '/api/rooms/secret-club/messages', { clientOffset: 'h5', content: 'hi' }, 403, 'forbidden'],
    ['a body over 64 KiB', '/api/rooms/general/messages', { clientOffset: 'h6', content: 'z'.repeat(70_000) }, 413, 'too_long'],
    ['a name too long', '/api/session', { name: 'n'.repeat(33) }, 400, 'invalid'],
    ['a blank name', '/api/session', { name: '   ' }, 400, 'invalid'],
    ['a non-JSON session body', '/api/session', '{"name":', 400, 'invalid'],
  ])('HTTP POST with %s → %i %s', async (_label, path, body, status, code) => {
    const { token } = await testApp().session('Mallory');
    const response = await testApp().call('POST', path, token, body);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: { code: string; message: string } };
    expect(answer).toMatchObject({ error: { code } });
    expect(answer.error.message).not.toMatch(/SQL|sqlite|at \w+ \(|node_modules/i);
  });

  it('stored none of the rejected posts', async () => {
    const { token } = await testApp().session('Auditor');
    const response = await testApp().call('GET', '/api/rooms/general/messages', token);
    expect(((await response.json()) as { messages: Message[] }).messages).toEqual([]);
    expect(testApp().published).toEqual([]);
  });

  it('answers 401 without a valid bearer token on every /api route', async () => {
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['PATCH', '/api/me'],
      ['GET', '/api/rooms'],
      ['GET', '/api/rooms/general/messages'],
      ['POST', '/api/rooms/general/messages'],
    ]) {
      const wrong = await testApp().call(method, path, 'nope');
      expect(wrong.status, `${method} ${path}`).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: { code: 'unauthorized' } });
      const missing = await testApp().app.request(path, { method });
      expect(missing.status, `${method} ${path} without a header`).toBe(401);
    }
  });

  it('rejects bad history queries and DM history of others', async () => {
    const { token } = await testApp().session('Reader');
    const status = async (path: string) => (await testApp().call('GET', path, token)).status;
    expect(await status('/api/rooms/general/messages?after=-1')).toBe(400);
    expect(await status('/api/rooms/general/messages?limit=abc')).toBe(400);
    expect(await status('/api/rooms/dm:aaaa:bbbb/messages')).toBe(403);
    expect(await status('/api/rooms/general/messages?after=0')).toBe(200);
  });
});
