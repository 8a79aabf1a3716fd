/**
 * A chat server inside the test's own process: server/process/chat-server.ts wired as a
 * single-process worker (store, HTTP and Socket.IO on one http server) listening on port 0,
 * with its own SQLite file in a temp dir. Real sockets, no child process to spawn; tests that
 * need processes (cluster, kill -9, SIGTERM, scale-out) use server.ts instead.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { readConfig } from '../../server/config';
import { createChatServer, type ChatServer } from '../../server/process/chat-server';
import { tempDir } from './server';

export type InProcessServer = {
  url: string;
  dbPath: string;
  /** The wired server: its store, Hono app and Socket.IO server. */
  chat: ChatServer;
  /** Closes it as a worker's shutdown does, then removes its temp dir. */
  stop(): Promise<void>;
};

/** `env` is read by readConfig as the environment would be, e.g. `{ CHAT_RATE_LIMIT: '1:3' }`. */
export async function startInProcessServer(env: Record<string, string> = {}): Promise<InProcessServer> {
  const dir = tempDir('chat-in-process-');
  try {
    const dbPath = join(dir.path, 'chat.db');
    const config = readConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      WORKERS: '1',
      CHAT_DB: dbPath,
      CHAT_RATE_LIMIT: '0',
      CHAT_STATIC_DIR: join(dir.path, 'no-pwa'),
      ...env,
    });
    const chat = await createChatServer(config, { clustered: false });
    await new Promise<void>((resolve) => chat.httpServer.listen(0, '127.0.0.1', resolve));
    const { port } = chat.httpServer.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      dbPath,
      chat,
      async stop() {
        try {
          await chat.close();
        } finally {
          dir.remove();
        }
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

/** One in-process server for a test file or describe block; call the returned function inside a test. */
export function useInProcessServer(env: Record<string, string> = {}): () => InProcessServer {
  let server: InProcessServer | undefined;
  beforeAll(async () => {
    server = await startInProcessServer(env);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the in-process server did not start');
    return server;
  };
}
