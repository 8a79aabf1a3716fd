/**
 * Coalesces the WebSocket frames engine.io flushes together into one write, and
 * the packets emitted to a socket in one turn into one flush.
 *
 * engine.io's WebSocket transport sends a buffered burst as one ws frame per
 * packet, and ws writes every frame with its own cork/uncork: one syscall per
 * message per socket. A burst is what a group commit produces (a batch of
 * message:new and acks to every member), so corking the TCP socket around the
 * loop turns N writes into one, with the same frames on the wire.
 *
 * And engine.io flushes on every packet: the first packet of a turn went out
 * alone, the rest waited for its write to complete and went in a second write.
 * A connection's answer (CONNECT, its presence, its catch-up and `sync:done`,
 * all of which follow from the handshake's store reads within one turn) took
 * three writes where one does. So a packet's flush waits for process.nextTick:
 * from a promise continuation, as a connection's answer is made, that runs once
 * the chain's settled promises have all run; from plain code, at the end of the
 * callback. The same packets in the same order, sent before I/O is polled again.
 */
import { createRequire } from 'node:module';

type Corkable = { cork(): void; uncork(): void };
type WebSocketTransport = { socket?: { _socket?: Corkable }; send(packets: unknown[]): void };
type EngineSocket = { flush(): void; sendPacket(...args: unknown[]): void };
type Engine = {
  Socket: { prototype: EngineSocket };
  transports: { websocket: { prototype: WebSocketTransport } };
};

let installed = false;
/** The engine socket inside its own sendPacket (nothing there sends to another): its flush waits for the end of the turn. */
let sending: EngineSocket | undefined;
/** Engine sockets whose deferred flush is already scheduled (at most once a turn each). */
const flushDue = new WeakSet<EngineSocket>();

export function coalesceWebSocketFrames(): void {
  if (installed) return;
  installed = true;
  // The very engine.io socket.io runs on, not whichever copy a bare import would find.
  const requireFromSocketIo = createRequire(createRequire(import.meta.url).resolve('socket.io'));
  const engine = requireFromSocketIo('engine.io') as Engine;
  corkBursts(engine.transports.websocket.prototype);
  flushOncePerTurn(engine.Socket.prototype);
}

function corkBursts(prototype: WebSocketTransport): void {
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

function flushOncePerTurn(prototype: EngineSocket): void {
  const { flush, sendPacket } = prototype;
  // Runs for every packet to every socket: a variable, not a set, says which socket is sending.
  const sendThenFlushLater = (socket: EngineSocket, args: unknown[]) => {
    const outer = sending;
    sending = socket;
    try {
      sendPacket.apply(socket, args);
    } finally {
      sending = outer;
    }
  };
  prototype.sendPacket = function sendPacketThenFlushLater(this: EngineSocket, ...args: unknown[]) {
    sendThenFlushLater(this, args);
  };
  // Every other caller (the transport ready again, an upgrade, a close waiting to drain) flushes at once.
  prototype.flush = function flushUnlessSending(this: EngineSocket) {
    if (sending !== this) return flush.call(this);
    if (flushDue.has(this)) return;
    flushDue.add(this);
    process.nextTick(() => {
      flushDue.delete(this);
      flush.call(this);
    });
  };
}
