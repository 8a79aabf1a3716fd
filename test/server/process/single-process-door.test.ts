/**
 * A single process (WORKERS=1) has no router in front: its http server applies
 * the same head limits (server/process/chat-server.ts). Raw sockets against an
 * in-process server.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessServer, type InProcessServer } from '../../support/in-process-server';

/** Writes `pieces` (pausing between them) and resolves with what came back once the server closed the connection. */
function exchange(port: number, pieces: string[], pauseMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.once('close', () => resolve(received));
    socket.once('connect', async () => {
      for (const piece of pieces) {
        if (socket.destroyed) return;
        socket.write(piece);
        await new Promise((done) => setTimeout(done, pauseMs));
      }
    });
  });
}

describe('the front door of a single process', () => {
  let server: InProcessServer;
  let port = 0;
  beforeAll(async () => {
    server = await startInProcessServer({ CHAT_HEAD_TIMEOUT_MS: '500' });
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.stop());

  it('answers a head that never completes with 408 and closes it', async () => {
    const drip = ['GET /healthz HTTP/1.1\r\nHost: x\r\n', ...Array.from({ length: 60 }, () => 'X')];
    expect(await exchange(port, drip, 100)).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses a head larger than the cap with 431', async () => {
    expect(await exchange(port, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`], 0)).toMatch(
      /^HTTP\/1\.1 431 /,
    );
  });

  it('still routes a head split across chunks', async () => {
    const answer = await exchange(port, ['GE', 'T /hea', 'lthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n', '\r\n'], 20);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});
