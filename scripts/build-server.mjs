// Builds the server to plain JavaScript (build/server/) so `npm start` runs it with `node`, no TypeScript at run time.
// Our code is bundled (one file per side: the primary never loads the worker's chunk); packages stay in node_modules,
// except the ES-module ones listed in BUNDLED, which tree-shake: every process would otherwise hold all of valibot's
// 400 KB source (V8 keeps a module's source for lazy compilation) to use a few dozen of its functions.
// The push send process is an entry of its own (build/server/push/send-process.js): the send pool forks it by path;
// so is the image process (build/server/media/image-process.js).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

/** Packages compiled into our chunks. Never one whose module objects another package must share (socket.io's
 * engine.io is patched in place by realtime/wire/coalesce-frames.ts, so the socket.io family stays external). */
const BUNDLED = new Set(['valibot', 'hono', '@hono/node-server']);

const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Bare imports stay external (node_modules at run time) unless their package is in BUNDLED. */
const externalUnlessBundled = {
  name: 'external-unless-bundled',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(packageOf(args.path)) ? undefined : { external: true }));
  },
};

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
    plugins: [externalUnlessBundled],
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildServer();
