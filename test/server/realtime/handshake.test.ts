/** Who may open a socket: a known token, well-formed cursors, and our own origin or a listed one. */
import { describe, expect, it } from 'vitest';
import { connectAndWait, createSession, createSocket } from '../../support/clients';
import { useInProcessServer } from '../../support/in-process-server';

describe('the Socket.IO handshake', () => {
  const server = useInProcessServer({ CHAT_ORIGINS: 'http://localhost:5173' });

  it.each([
    ['no token', {}, 'unauthorized'],
    ['an unknown token', { token: 'not-a-real-token' }, 'unauthorized'],
    ['a token of the wrong type', { token: 12 }, 'unauthorized'],
  ])('refuses a handshake with %s', async (_label, auth, message) => {
    const probe = createSocket(server().url, '');
    (probe as unknown as { auth: unknown }).auth = auth;
    try {
      await expect(connectAndWait(probe, 5000)).rejects.toThrow(message);
    } finally {
      probe.close();
    }
  });

  it('refuses a handshake with malformed cursors', async () => {
    const { token } = await createSession(server().url, 'Mallory');
    const probe = createSocket(server().url, token, { cursors: { general: 'x' as unknown as number } });
    try {
      await expect(connectAndWait(probe, 5000)).rejects.toThrow('invalid');
    } finally {
      probe.close();
    }
  });

  it('refuses a handshake asking for a page format it does not know', async () => {
    const { token } = await createSession(server().url, 'Mallory');
    const probe = createSocket(server().url, token, { pages: 'xml' as unknown as 'rows' });
    try {
      await expect(connectAndWait(probe, 5000)).rejects.toThrow('invalid');
    } finally {
      probe.close();
    }
  });

  it('accepts a known token', async () => {
    const { token } = await createSession(server().url, 'Ana');
    const socket = createSocket(server().url, token);
    try {
      await connectAndWait(socket, 5000);
      expect(socket.connected).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('refuses cross-origin browsers unless CHAT_ORIGINS lists them', async () => {
    const polling = (origin: string) => fetch(`${server().url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await polling('https://evil.example')).status).toBe(403);
    expect((await polling(server().url)).status).toBe(200);
    expect((await polling('http://localhost:5173')).status).toBe(200);
  });
});
