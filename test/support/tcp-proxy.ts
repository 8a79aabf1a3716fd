/**
 * A TCP forwarder a test can cut and restore, to play "the database went away
 * and came back" without touching the shared PostgreSQL service.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type TcpProxy = {
  port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): Promise<void>;
  /** Stops passing the server's answers back, like a network that hangs: requests wait for replies that do not come. */
  stall(): void;
  /** Accepts connections again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
};

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const answers = new Map<Socket, Socket>();
  let server: Server | null = null;
  let port = 0;

  function listen(): Promise<void> {
    const next = createServer((downstream) => {
      const upstream = createConnection({ host: targetHost, port: targetPort });
      for (const socket of [downstream, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          downstream.destroy();
          upstream.destroy();
        });
      }
      downstream.pipe(upstream).pipe(downstream);
      answers.set(upstream, downstream);
      upstream.on('close', () => answers.delete(upstream));
    });
    server = next;
    return new Promise((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.address();
        if (typeof address === 'object' && address) port = address.port;
        resolve();
      });
    });
  }

  async function cut(): Promise<void> {
    const current = server;
    server = null;
    for (const socket of sockets) socket.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  function stall(): void {
    for (const [upstream, downstream] of answers) {
      upstream.unpipe(downstream);
      upstream.pause();
    }
  }

  await listen();
  return {
    get port() {
      return port;
    },
    cut,
    stall,
    restore: listen,
    close: cut,
  };
}
