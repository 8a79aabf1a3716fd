/**
 * A client that stops reading costs the server a bounded amount: live messages
 * piling up for it get it disconnected once over the cap, while everyone else's
 * sends keep being acked quickly; it can come back and resume from its cursor.
 */
import { describe, expect, it } from 'vitest';
import { bufferedBytes } from '../../../server/realtime/slow-readers';
import { connectAndCatchUp, createSession } from '../../support/clients';
import { connectRaw } from '../../support/raw-socket';
import { useServer } from '../../support/server';
import { execFileSync } from 'node:child_process';

/** Whether the server still has the TCP connection from the client's `localPort` (read with ss). */
async function serverHolds(serverPort: number, localPort: number): Promise<boolean> {
  const out = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${serverPort} and dport = :${localPort} )`]).toString();
  return out.trim().length > 0;
}

describe('a reader that stops reading', () => {
  // No catch-up cap: how many messages the flood needs before the sweep disconnects the lurker depends
  // on the kernel's buffers and the machine's load (5,786 once), and coming back must bring them all.
  const server = useServer({ workers: 1, env: { CHAT_MAX_BUFFERED_KB: '256', CHAT_CATCHUP_CAP: '10000000' } });

  it('counts what waits in ws and in engine.io', () => {
    expect(bufferedBytes({ transport: { socket: { bufferedAmount: 1000 } }, writeBuffer: [1, 2] })).toBe(1512);
    expect(bufferedBytes({})).toBe(0);
  });

  it('is disconnected once its backlog passes the cap, and the others are not slowed down', async () => {
    const lurker = await createSession(server().url, 'Lurker');
    const talker = await createSession(server().url, 'Talker');
    const raw = await connectRaw(server().url, { token: lurker.token, cursors: { general: 0 } });
    raw.stopReading();
    const sender = await connectAndCatchUp(server().url, talker.token);

    // The kernel takes several MB on loopback (send and receive buffers) before the server's own
    // buffer grows: send up to 40 MB, 8 at a time, until the sweep (every 2 s) disconnects the lurker.
    const content = 'x'.repeat(3900);
    const ackTimes: number[] = [];
    // The lurker does not read, so it cannot see its own disconnection: the talker's view of the
    // lurker's connection (gone from the server) is what stops the flood.
    let disconnected = false;
    const lurkerGone = async () => {
      while (!disconnected) {
        const health = await fetch(`${server().url}/healthz`);
        if (!health.ok) break;
        disconnected = !(await serverHolds(server().port, raw.localPort()));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    void lurkerGone();
    let next = 0;
    const slot = async () => {
      while (!disconnected && next < 10_000) {
        const index = next++;
        const started = performance.now();
        const ack = await sender.socket.emitWithAck('message:send', { room: 'general', clientOffset: `flood-${index}`, content });
        ackTimes.push(performance.now() - started);
        expect(ack.ok).toBe(true);
      }
    };
    await Promise.all(Array.from({ length: 8 }, slot));
    expect(disconnected).toBe(true);
    // Reading again, the lurker finds its connection closed, with far less than was sent.
    let received = 0;
    raw.ws.on('message', () => received++);
    raw.resumeReading();
    await raw.closed;
    expect(received).toBeLessThan(ackTimes.length);
    ackTimes.sort((a, b) => a - b);
    expect(ackTimes[Math.floor(ackTimes.length * 0.99)]).toBeLessThan(500);
    sender.socket.close();

    // Back, reading this time: everything it missed, from its cursor.
    const back = await connectAndCatchUp(server().url, lurker.token, { cursors: { general: 0 } });
    expect(back.messages.filter((message) => message.clientOffset.startsWith('flood-')).length).toBe(ackTimes.length);
    back.socket.close();
  });
});
