/**
 * Serves the built PWA: hashed assets cached for a year, the service worker and
 * the shell revalidated every time, compressed copies to browsers that take them,
 * and unknown paths answered with the shell.
 */
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
