/** One real server per e2e file, started after checking the PWA is built, and the browsers closed before it stops. */
import { useServer as useTestServer, type RunningServer, type ServerOptions } from '../../support/server';
import { assertBuilt, closeAll } from './browser';

/** Registers the hooks; call the returned function inside a test to get the running server. */
export function useServer(options: ServerOptions | (() => ServerOptions) = {}): () => RunningServer {
  return useTestServer(options, { beforeStart: assertBuilt, beforeStop: closeAll });
}
