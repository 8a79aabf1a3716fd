// Builds the server to plain JavaScript (build/server/) so `npm start` runs it with `node`, no TypeScript at run time.
// Our code is bundled (one file per side: the primary never loads the worker's chunk); packages stay in node_modules.
// The push send process is an entry of its own (build/server/push/send-process.js): the send pool forks it by path;
// so is the image process (build/server/media/image-process.js).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

export async function buildServer(outdir = 'build/server') {
  // Chunk names carry content hashes: clear the old ones.
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: ['server/index.ts', 'server/push/send-process.ts', 'server/media/image-process.ts'],
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
