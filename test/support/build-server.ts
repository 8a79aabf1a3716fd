/**
 * Vitest global setup: builds the server to build/server/ once per run, so every
 * spawned server runs the same compiled JavaScript as `npm start`, never a stale build.
 */
import { buildServer } from '../../scripts/build-server.mjs';

/** Each project (vitest.config.ts) names this setup: the build happens once, the others wait for it. */
let built: Promise<void> | undefined;

export default async function setup(): Promise<void> {
  built ??= buildServer();
  await built;
}
