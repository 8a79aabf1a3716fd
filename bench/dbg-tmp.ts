import { runLoadJob } from './load-process';
import type { LadderResult } from './load/types';
import { cleanupAll, startServer, type ServerKind } from './servers';
const kind = (process.argv[2] ?? 'ours') as ServerKind;
const steps = (process.argv[3] ?? '10,1000').split(',').map(Number);
try {
  const s = await startServer(kind, { nodeArgs: process.env.PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROF}`] : [] });
  const t = Date.now();
  const r = await runLoadJob<LadderResult>({ kind: 'ladder', url: s.url, dialect: kind === 'tutorial' ? 'tutorial' : 'ours', serverPid: s.pid, steps, probeRate: 20, probeMs: 2000, settleMs: 1000 });
  console.log((Date.now() - t) / 1000, 's');
  for (const st of r.steps) console.log(st.clients, (st.serverRss / 2 ** 20).toFixed(1), 'connect', st.connectMs.toFixed(0), st.ack.p50?.toFixed(1), st.ack.p99?.toFixed(1), st.delivery.p50?.toFixed(1), st.delivery.p99?.toFixed(1));
  console.log((r.baselineRss / 2 ** 20).toFixed(1), r.error);
  await s.stop();
} finally { cleanupAll(); }
