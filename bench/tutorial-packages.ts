/**
 * The tutorial baseline's packages (express, sqlite, sqlite3) live in its own
 * package.json, so the app's `npm ci` never compiles sqlite3; the bench installs
 * them from the committed lock file the first time it starts the tutorial.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export const TUTORIAL_DIR = 'bench/baselines/tutorial';

/** npm writes this hidden lock file last: its absence means never installed, or an install that did not finish. */
const installedMarker = (dir: string) => join(dir, 'node_modules', '.package-lock.json');

export function ensureTutorialPackages(log: (line: string) => void, dir = TUTORIAL_DIR): void {
  if (existsSync(installedMarker(dir))) return;
  log(`tutorial: installing its packages into ${dir}/node_modules (first use only; sqlite3 may compile from source, a few minutes)`);
  const started = performance.now();
  const result = spawnSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(installedMarker(dir)))
    throw new Error(`npm ci --prefix ${dir} failed (${result.error?.message ?? `exit ${result.status}`})`);
  log(`tutorial: packages installed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}
