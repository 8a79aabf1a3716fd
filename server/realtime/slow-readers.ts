/**
 * Bounds what a socket that stops reading can cost: live messages keep being
 * written to it, and the kernel, ws and engine.io buffer them in this process.
 * A socket holding more than the cap is disconnected; its client reconnects and
 * resumes from its cursor, so nothing is lost, and nobody else pays for it.
 */
import type { ChatServer } from './types';

type Transportish = { name?: string; socket?: { bufferedAmount?: number; terminate?(): void } };
type Connectionish = { transport?: Transportish; writeBuffer?: unknown[]; onClose?(reason: string): void };

/** Bytes waiting to go out to one socket: ws's buffer (which includes the kernel-refused part) plus engine.io's queue. */
export function bufferedBytes(connection: Connectionish): number {
  const wsBytes = connection.transport?.socket?.bufferedAmount ?? 0;
  // Packets queued by engine.io (between polls, or while a WebSocket write is pending): a few hundred bytes each.
  return wsBytes + (connection.writeBuffer?.length ?? 0) * 256;
}

/**
 * Closes at once, dropping what is buffered. A polite close would first wait for the buffer to
 * drain (engine.io) and then for the close handshake (ws, 30 s): exactly what this reader never does.
 */
function cut(connection: Connectionish): void {
  const ws = connection.transport?.socket;
  if (ws?.terminate) ws.terminate();
  else connection.onClose?.('slow reader');
}

export function watchSlowReaders(io: ChatServer, maxBufferedBytes: number, intervalMs = 2_000): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const connection = socket.conn as unknown as Connectionish;
      if (bufferedBytes(connection) > maxBufferedBytes) cut(connection);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
