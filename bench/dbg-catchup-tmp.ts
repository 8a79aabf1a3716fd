import { runLoadJob } from './load-process';
import type { CatchupResult, SeedResult } from './load/types';
import { cleanupAll, serverDefaults, snapshotHead, startServer } from './servers';
try {
  serverDefaults.oursCwd = snapshotHead().dir;
  const seeding = await startServer('ours');
  const seed = await runLoadJob<SeedResult>({ kind: 'seed', url: seeding.url, dialect: 'ours', messages: 20000 });
  await seeding.stop();
  console.log('seeded', seed.seeded, seed.total);
  const s = await startServer('ours', { dbPath: seeding.dbPath, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.argv[2]}`] });
  for (let i = 0; i < 8; i++) {
    const r = await runLoadJob<CatchupResult>({ kind: 'catchup', url: s.url, dialect: 'ours', total: seed.total, missed: 10000, timeoutMs: 60000 });
    console.log('catch-up 10k', r.ms?.toFixed(0), r.received, r.duplicates);
  }
  await s.stop();
} finally { cleanupAll(); }
