/**
 * The only file with side effects at import: read the config, then start the
 * cluster's primary or one worker. Each side is imported only where it runs,
 * so the primary never loads Hono, Socket.IO or the worker's store code.
 */
import cluster from 'node:cluster';
import { ConfigError, readConfig, type Config } from './config';
import { log, setLogLevel } from './observe/log';

function configOrExit(): Config {
  try {
    return readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      log.fatal(`config error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

function fail(error: unknown): never {
  log.fatal(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const config = configOrExit();
setLogLevel(config.logLevel);
if (cluster.isPrimary && config.workers > 1) {
  const { runPrimary } = await import('./process/primary');
  try {
    runPrimary(config);
  } catch (error) {
    fail(error);
  }
} else {
  const { startWorker } = await import('./process/worker');
  startWorker(config, { clustered: cluster.isWorker }).catch(fail);
}
