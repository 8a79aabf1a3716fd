/**
 * Vitest global setup: builds the server to build/server/ once per run, so every
 * spawned server runs the same compiled JavaScript as `npm start`, never a stale build.
 */
import { buildServer } from '../../scripts/build-server.mjs';

export default async function setup(): Promise<void> {
  await buildServer();
}
