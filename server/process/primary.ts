/**
 * The primary of the node:cluster mode: forks WORKERS workers, routes
 * connections to them (sticky), replaces any that dies, and shuts down cleanly.
 */
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { log } from '../observe/log';
import { openSqliteAppendOnly } from '../store/sqlite';
import { relayAdapterMessages } from './adapter-relay';
import { createLocalBudgets } from '../chat/budgets';
import { serveClusterAppends } from './cluster-appends';
import { serveBudgets } from './primary-budgets';
import { ipcMessage } from './ipc';
import { serveClusterMetrics, type ClusterMetrics } from './metrics-endpoint';
import { durabilityLine } from './open-store';
import { createStickyRouter } from './sticky';

export function runPrimary(config: Config): void {
  relayAdapterMessages();
  // With SQLite the primary commits every worker's sends (cluster-appends.ts).
  const appender = config.databaseUrl ? null : openSqliteAppendOnly(config.dbPath, config.sqliteSync, config.changeRules);
  if (appender) {
    serveClusterAppends(appender);
    // The primary commits every message: its connection is the one "acked means fsynced" rests on.
    log.info(durabilityLine([appender.durability]));
  }
  // Without Redis the primary keeps the cluster's budgets (primary-budgets.ts).
  if (!config.redisUrl) serveBudgets(createLocalBudgets(config.budgets));
  // Signs the session ids workers mint, so that only a real session picks its worker (session-ids.ts).
  const clusterKey = randomBytes(32);
  const ready = new Set<Worker>();
  // The router answers /metrics, whose endpoint counts the router's connections: bound once both exist.
  const served: { metrics?: ClusterMetrics } = {};
  const router = createStickyRouter(
    config,
    clusterKey,
    () => [...ready],
    (id) => cluster.workers?.[id],
    (requestLine, head, socket) => served.metrics?.answerOnMainPort(requestLine, head, socket) ?? false,
  );
  const metrics = serveClusterMetrics(config, router.tally);
  served.metrics = metrics;
  let stopping = false;
  let listening = false;
  const recentCrashes: number[] = [];

  // Young generation of 4 MB semi-spaces (V8's default grows them to 16 MB): a connection
  // storm filled the default's to the top and RSS stayed there (bench ladder, RSS per idle
  // connection). Flags given to node itself come later and win.
  cluster.setupPrimary({ execArgv: ['--max-semi-space-size=4', ...process.execArgv] });
  const fork = () => {
    // Two malloc arenas instead of glibc's 8 per core: the worker's threads (libuv's pool, V8's
    // helpers) each kept an arena of freed memory; idle RSS 5–7 MB less for the three processes.
    const worker = cluster.fork({ CHAT_CLUSTER_KEY: clusterKey.toString('base64url'), MALLOC_ARENA_MAX: '2' });
    worker.on('message', (message: unknown) => {
      router.fromWorker(worker, message);
      if (ipcMessage(message, 'worker:ready')) {
        ready.add(worker);
        if (!listening) listen();
      }
    });
  };

  const listen = () => {
    listening = true;
    router.server.once('listening', () => {
      log.info(
        `chat server on http://localhost:${config.port} (${config.workers} workers, store ${config.databaseUrl ? 'PostgreSQL' : config.dbPath})`,
      );
      // From now on an error is one connection's (EMFILE on accept, say): logged, never the cluster's end.
      router.server.on('error', (error) => log.error({ err: error }, 'sticky router: accept failed'));
    });
    router.server.once('error', (error) => {
      if (router.server.listening) return;
      log.fatal(`cannot listen on port ${config.port}: ${error.message}`);
      process.exit(1);
    });
    router.server.listen(config.port, config.host);
  };

  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker);
    router.workerGone(worker);
    if (stopping) return;
    log.error(`worker ${worker.process.pid} died (${signal ?? code}); starting a new one`);
    const now = Date.now();
    recentCrashes.push(now);
    while (recentCrashes.length > 0 && now - recentCrashes[0] > 10_000) recentCrashes.shift();
    // A worker that dies on start would otherwise be respawned in a tight loop.
    setTimeout(fork, recentCrashes.length > config.workers * 3 ? 2_000 : 0);
  });

  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    router.server.close();
    metrics?.close();
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    for (const worker of workers) worker.process.kill('SIGTERM');
    const force = setTimeout(() => workers.forEach((worker) => worker.process.kill('SIGKILL')), 10_000);
    force.unref();
    Promise.all(workers.map((worker) => (worker.isDead() ? Promise.resolve() : new Promise((resolve) => worker.once('exit', resolve)))))
      .then(() => appender?.close())
      .then(() => process.exit(0));
  };
  // on, not once: SIGTERM may come twice (a supervisor signals every process, and the primary passes one on);
  // a second must not take the default action and kill a process in the middle of its graceful close.
  process.on('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);

  for (let index = 0; index < config.workers; index++) fork();
}
