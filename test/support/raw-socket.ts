/**
 * A Socket.IO client spoken by hand over a raw WebSocket, for what the real
 * client would never do: stop reading, or send bytes the parser must refuse.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';

export type RawSocket = {
  ws: WebSocket;
  /** Stops reading from the TCP socket: the server's writes pile up in kernel and process buffers. */
  stopReading(): void;
  resumeReading(): void;
  /** The client's TCP port, to find the connection from the server's side. */
  localPort(): number;
  /** Every packet the server sent after accepting the connection, as text, in order. */
  received: string[];
  /** Writes these packets, one WebSocket frame each, in one TCP write, so the server reads them in one go. */
  sendTogether(packets: string[]): void;
  closed: Promise<void>;
  close(): void;
};

/** ws keeps its TCP socket in a private field; reading it is the point of this helper. */
const tcp = (ws: WebSocket) => (ws as unknown as { _socket: Socket })._socket;

/** Opens engine.io over WebSocket and sends the Socket.IO CONNECT with `auth`; resolves once the server accepted it. */
export function connectRaw(url: string, auth: object, timeoutMs = 5_000): Promise<RawSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const received: string[] = [];
  let accepted = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw connect timed out')), timeoutMs);
    ws.on('error', reject);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === '2') ws.send('3');
      else if (accepted) received.push(text);
      else if (text.startsWith('0')) ws.send(`40${JSON.stringify(auth)}`);
      else if (text.startsWith('40')) {
        clearTimeout(timer);
        accepted = true;
        resolve({
          ws,
          received,
          sendTogether(packets) {
            tcp(ws).cork();
            for (const packet of packets) ws.send(packet);
            tcp(ws).uncork();
          },
          closed,
          stopReading: () => tcp(ws).pause(),
          resumeReading: () => tcp(ws).resume(),
          localPort: () => tcp(ws).localPort ?? 0,
          close: () => ws.terminate(),
        });
      } else if (text.startsWith('44')) {
        clearTimeout(timer);
        reject(new Error(`connect refused: ${text.slice(2)}`));
      }
    });
  });
}
