/**
 * The primary of the node:cluster mode: forks WORKERS workers, routes
 * connections to them (sticky), replaces any that dies, and shuts down cleanly.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config';
import { openSqliteAppendOnly } from '../store/sqlite';
import { relayAdapterMessages } from './adapter-relay';
import { createLocalBudgets } from '../chat/budgets';
import { serveClusterAppends } from './cluster-appends';
import { serveBudgets } from './primary-budgets';
import { ipcMessage } from './ipc';
import { durabilityLine } from './open-store';
import { createStickyRouter } from './sticky';

export function runPrimary(config: Config): void {
  relayAdapterMessages();
  // With SQLite the primary commits every worker's sends (cluster-appends.ts).
  const appender = config.databaseUrl ? null : openSqliteAppendOnly(config.dbPath, config.sqliteSync, config.changeRules);
  if (appender) {
    serveClusterAppends(appender);
    // The primary commits every message: its connection is the one "acked means fsynced" rests on.
    console.log(durabilityLine([appender.durability]));
  }
  // Without Redis the primary keeps the cluster's budgets (primary-budgets.ts).
  if (!config.redisUrl) serveBudgets(createLocalBudgets(config.budgets));
  const ready = new Set<Worker>();
  const router = createStickyRouter(
    () => [...ready],
    (id) => cluster.workers?.[id],
  );
  let stopping = false;
  let listening = false;
  const recentCrashes: number[] = [];

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (ipcMessage(message, 'worker:ready')) {
        ready.add(worker);
        if (!listening) listen();
      }
    });
  };

  const listen = () => {
    listening = true;
    router.listen(config.port, config.host, () => {
      console.log(
        `chat server on http://localhost:${config.port} (${config.workers} workers, store ${config.databaseUrl ? 'PostgreSQL' : config.dbPath})`,
      );
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker);
    if (stopping) return;
    console.error(`worker ${worker.process.pid} died (${signal ?? code}); starting a new one`);
    const now = Date.now();
    recentCrashes.push(now);
    while (recentCrashes.length > 0 && now - recentCrashes[0] > 10_000) recentCrashes.shift();
    // A worker that dies on start would otherwise be respawned in a tight loop.
    setTimeout(fork, recentCrashes.length > config.workers * 3 ? 2_000 : 0);
  });

  router.on('error', (error) => {
    console.error(`cannot listen on port ${config.port}: ${error.message}`);
    process.exit(1);
  });

  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    router.close();
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    for (const worker of workers) worker.process.kill('SIGTERM');
    const force = setTimeout(() => workers.forEach((worker) => worker.process.kill('SIGKILL')), 10_000);
    force.unref();
    Promise.all(workers.map((worker) => (worker.isDead() ? Promise.resolve() : new Promise((resolve) => worker.once('exit', resolve)))))
      .then(() => appender?.close())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  for (let index = 0; index < config.workers; index++) fork();
}
