/** Connects a bench socket made with `autoConnect: false` and resolves at its `sync:done`. */
import type { Socket } from 'socket.io-client';

export function connectUntilSynced(socket: Socket, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sync:done did not arrive within ${timeoutMs / 1000} s`)), timeoutMs);
    socket.once('sync:done', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.connect();
  });
}
