/**
 * Coalesces the WebSocket frames engine.io flushes together into one write.
 *
 * engine.io's WebSocket transport sends a buffered burst as one ws frame per
 * packet, and ws writes every frame with its own cork/uncork: one syscall per
 * message per socket. A burst is what a group commit produces (a batch of
 * message:new and acks to every member), so corking the TCP socket around the
 * loop turns N writes into one, with the same frames on the wire.
 */
import { createRequire } from 'node:module';

type Corkable = { cork(): void; uncork(): void };
type WebSocketTransport = { socket?: { _socket?: Corkable }; send(packets: unknown[]): void };

let installed = false;

export function coalesceWebSocketFrames(): void {
  if (installed) return;
  installed = true;
  // The very engine.io socket.io runs on, not whichever copy a bare import would find.
  const requireFromSocketIo = createRequire(createRequire(import.meta.url).resolve('socket.io'));
  const engine = requireFromSocketIo('engine.io') as { transports: { websocket: { prototype: WebSocketTransport } } };
  const prototype = engine.transports.websocket.prototype;
  const send = prototype.send;
  prototype.send = function coalescedSend(this: WebSocketTransport, packets: unknown[]) {
    const tcp = packets.length > 1 ? this.socket?._socket : undefined;
    if (!tcp) return send.call(this, packets);
    tcp.cork();
    try {
      send.call(this, packets);
    } finally {
      tcp.uncork();
    }
  };
}
