/** One real server per e2e file, started after checking the PWA is built, and everything cleaned up after. */
import { afterAll, beforeAll } from 'vitest';
import { removeTempDirs, startServer, type RunningServer, type ServerOptions } from '../../support/server';
import { assertBuilt, closeAll } from './browser';

/** Registers the hooks; call the returned function inside a test to get the running server. */
export function useServer(options: ServerOptions | (() => ServerOptions) = {}): () => RunningServer {
  let server: RunningServer | undefined;
  beforeAll(async () => {
    assertBuilt();
    server = await startServer(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await closeAll();
    await server?.stop();
    removeTempDirs();
  });
  return () => {
    if (!server) throw new Error('server did not start');
    return server;
  };
}
