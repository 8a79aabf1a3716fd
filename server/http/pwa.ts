/**
 * Serves the built PWA: hashed assets cached for a year, the service worker and
 * the shell revalidated every time, compressed copies to browsers that take them,
 * and unknown paths answered with the shell.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Env, Hono } from 'hono';

export function mountPwa<E extends Env>(app: Hono<E>, staticDir: string): void {
  const indexPath = join(staticDir, 'index.html');
  if (existsSync(staticDir))
    app.use(
      '*',
      serveStatic({
        root: staticDir,
        // The build writes .br and .gz copies (scripts/compress-dist.mjs): sent with Vary: Accept-Encoding.
        precompressed: true,
        onFound: (path, c) => {
          const immutable = path.includes('/assets/');
          c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
  app.get('*', (c) => {
    if (!existsSync(indexPath)) return c.text('The PWA is not built yet: run `npm run build` (npm start does it for you).', 404);
    c.header('Cache-Control', 'no-cache');
    return c.html(readFileSync(indexPath, 'utf8'));
  });
}

/**
 * The Content-Security-Policy sources that let index.html's inline scripts run (one: before the
 * first paint, which placeholder shows), by the hash of each: `script-src` needs no 'unsafe-inline'.
 * Read once, at start: a PWA built again takes a restart, as the server's own code does.
 */
export function inlineScriptSources(staticDir: string): string[] {
  const indexPath = join(staticDir, 'index.html');
  if (!existsSync(indexPath)) return [];
  const html = readFileSync(indexPath, 'utf8');
  // Only attribute-less <script> tags are inline classic scripts here; Vite writes the app's as <script type="module" src>.
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    ([, body]) =>
      `'sha256-${createHash('sha256')
        .update(body ?? '')
        .digest('base64')}'`,
  );
}
