/**
 * Which way imports may run (`npm run lint` fails on a wrong one). See docs/architecture.md.
 *
 * Server: process/ (start-up) → http/, realtime/ (edges) → chat/ (rules) → store/; scale-out/
 * plugs Redis into the edges; config.ts is a leaf everyone may read. Shared code imports nothing
 * of either side. No cycles anywhere.
 *
 * Client (docs/client.md): the root (main.ts, App.vue, sw.ts, socket-events.ts) → components/ →
 * stores/ → realtime/, io/ → logic/ → shared/. The client may see the server only through the type
 * of its HTTP routes (server/http/app.ts, for Hono's typed client).
 */
const layer = (name) => `^server/${name}/`;
const clientLayer = (name) => `^client/${name}/`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Imports run one way; a cycle means two modules are one.',
      from: { path: '^(server|shared|client)/' },
      to: { circular: true },
    },
    {
      name: 'shared-is-pure',
      severity: 'error',
      comment: 'shared/ is used by both sides: no server, client or Node code.',
      from: { path: '^shared/' },
      to: { path: '^(server|client)/|^node:' },
    },
    { name: 'server-not-client', severity: 'error', from: { path: '^server/' }, to: { path: '^client/' } },
    {
      name: 'store-is-the-bottom',
      severity: 'error',
      comment: 'store/ speaks SQL and knows nothing of rules, edges or processes.',
      from: { path: layer('store') },
      to: { path: `${layer('(chat|http|realtime|process|scale-out)')}` },
    },
    {
      name: 'chat-has-no-edges',
      severity: 'error',
      comment: 'chat/ holds the rules: no Socket.IO, no HTTP, no processes.',
      from: { path: layer('chat') },
      to: { path: layer('(http|realtime|process|scale-out)') },
    },
    {
      name: 'edges-stay-apart',
      severity: 'error',
      comment: 'HTTP and Socket.IO are two doors to the same rules; they meet in process/chat-server.ts only.',
      from: { path: layer('(http|realtime)') },
      to: { path: layer('(http|realtime|process|scale-out)'), pathNot: '^server/$1/' },
    },
    {
      name: 'scale-out-plugs-in',
      severity: 'error',
      comment: 'scale-out/ may know the realtime types (to attach an adapter), not the edges themselves.',
      from: { path: layer('scale-out') },
      to: { path: '^server/(http|process)/|^server/realtime/(?!types\\.ts$)' },
    },
    {
      name: 'process-is-the-top',
      severity: 'error',
      comment: 'Only the entry point starts processes.',
      from: { path: '^server/', pathNot: `^server/index\\.ts$|${layer('process')}` },
      to: { path: layer('process') },
    },
    {
      name: 'client-root-is-the-top',
      severity: 'error',
      comment: 'main.ts, App.vue, sw.ts and socket-events.ts wire the layers together; nothing below imports them.',
      from: { path: clientLayer('[^/]+') },
      to: { path: '^client/[^/]+$' },
    },
    {
      name: 'client-logic-is-pure',
      severity: 'error',
      comment: 'logic/ holds plain decisions and the device models: shared/ and logic/ only, no Vue, no I/O.',
      from: { path: clientLayer('logic') },
      to: { pathNot: `^shared/|${clientLayer('logic')}` },
    },
    {
      name: 'client-edges-know-no-state',
      severity: 'error',
      comment: 'io/ and realtime/ sit under the stores: they never reach up into Pinia state or the UI.',
      from: { path: clientLayer('(io|realtime)') },
      to: { path: clientLayer('(stores|components)') },
    },
    {
      name: 'client-edges-stay-apart',
      severity: 'error',
      comment: 'The device (IndexedDB, fetch) and the socket are separate edges; stores combine them.',
      from: { path: clientLayer('(io|realtime)') },
      to: { path: clientLayer('(io|realtime)'), pathNot: '^client/$1/' },
    },
    {
      name: 'client-stores-know-no-components',
      severity: 'error',
      comment: "Stores hold state and actions; how it looks is the components' business.",
      from: { path: clientLayer('stores') },
      to: { path: clientLayer('components') },
    },
    {
      name: 'client-components-talk-to-stores',
      severity: 'error',
      comment: 'Components reach the device and the socket through stores only.',
      from: { path: clientLayer('components') },
      to: { path: clientLayer('(io|realtime)') },
    },
    {
      name: 'client-sees-only-server-route-types',
      severity: 'error',
      comment: 'The PWA never bundles server code: only the type of the /api routes, for the typed client.',
      from: { path: '^client/' },
      to: { path: '^server/', pathNot: '^server/http/app\\.ts$' },
    },
    {
      name: 'client-server-routes-type-only',
      severity: 'error',
      comment: 'server/http/app.ts is imported with `import type` only, so no server code reaches the bundle.',
      from: { path: '^client/' },
      to: { path: '^server/http/app\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
