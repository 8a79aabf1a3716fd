/**
 * Which way imports may run (`npm run lint` fails on a wrong one). See docs/architecture.md.
 *
 * Server: process/ (start-up) → http/, realtime/ (edges) → chat/ (rules) → store/; scale-out/
 * plugs Redis into the edges; config.ts is a leaf everyone may read. Shared code imports nothing
 * of either side. No cycles anywhere.
 */
const layer = (name) => `^server/${name}/`;

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Imports run one way; a cycle means two modules are one.',
      from: { path: '^(server|shared)/' },
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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
