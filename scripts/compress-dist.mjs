// Writes a Brotli (.br) and a gzip (.gz) copy beside every compressible file of the built PWA (dist/),
// which the server's static handler sends to browsers that accept them (serveStatic's `precompressed`).
// Done once at build time at the strongest settings, instead of per request: the app shell is
// about a third of its size on the wire, which is what a phone on a slow network waits for first.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.svg', '.json', '.webmanifest', '.txt', '.xml', '.map']);
/** Below this a compressed copy saves less than a packet's worth. */
const MIN_BYTES = 1024;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (COMPRESSIBLE.has(extname(entry.name)) && statSync(path).size >= MIN_BYTES) yield path;
  }
}

export function compressDist(dir = 'dist') {
  let before = 0;
  let after = 0;
  for (const path of files(dir)) {
    const bytes = readFileSync(path);
    const brotli = brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    });
    writeFileSync(`${path}.br`, brotli);
    writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
    before += bytes.length;
    after += brotli.length;
  }
  return { before, after };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { before, after } = compressDist();
  console.log(`dist: ${(before / 1024).toFixed(0)} KiB of text assets, ${(after / 1024).toFixed(0)} KiB with Brotli`);
}
