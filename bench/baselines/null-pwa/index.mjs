// The null PWA for the client scenario (#17): the least an installable chat page can be. One HTML
// page with a line of text and an enabled "Message" box, no framework, no stored state, and a
// service worker that serves that page from its cache. Lighthouse and the offline warm reload
// timed on it are this machine's Chromium floor, against which ours is read.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Null PWA</title>
    <meta name="description" content="The least an offline chat page can be." />
    <meta name="theme-color" content="#0b57a4" />
    <link rel="manifest" href="/manifest.webmanifest" />
    <style>
      body { margin: 0; font-family: system-ui, sans-serif; font-size: 16px; line-height: 1.4; }
      main { padding: 20px; }
      input { font: inherit; padding: 8px; width: calc(100% - 20px); }
    </style>
  </head>
  <body>
    <main>
      <p>Chat that keeps working when the network doesn’t. Pick a name to start.</p>
      <input aria-label="Message" placeholder="Message" />
    </main>
    <script type="module">
      if ('serviceWorker' in navigator) addEventListener('load', () => navigator.serviceWorker.register('/sw.js'));
    </script>
  </body>
</html>
`;

const SW = `
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open('null-pwa').then((cache) => cache.addAll(['/'])).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (event) => {
  if (event.request.mode !== 'navigate') return;
  event.respondWith(caches.match('/').then((hit) => hit ?? fetch(event.request)));
});
`;

const MANIFEST = JSON.stringify({
  name: 'Null PWA',
  short_name: 'Null',
  start_url: '/',
  display: 'standalone',
  icons: [],
});

const routes = {
  '/': ['text/html; charset=utf-8', PAGE],
  '/sw.js': ['text/javascript', SW],
  '/manifest.webmanifest': ['application/manifest+json', MANIFEST],
};

createServer((req, res) => {
  const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
  if (!route) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': route[0], 'cache-control': 'no-cache' }).end(route[1]);
}).listen(port, host, () => console.log(`null PWA on http://${host}:${port}`));
