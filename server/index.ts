/** The only file with side effects at import: read the config, then start the cluster or a single worker. */
import cluster from 'node:cluster';
import { ConfigError, readConfig, type Config } from './config';
import { runPrimary } from './cluster';
import { startWorker } from './worker';

function configOrExit(): Config {
  try {
    return readConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`config error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}

const config = configOrExit();
if (cluster.isPrimary && config.workers > 1) {
  try {
    runPrimary(config);
  } catch (error) {
    console.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
} else {
  startWorker(config, { clustered: cluster.isWorker }).catch((error: unknown) => {
    console.error(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
