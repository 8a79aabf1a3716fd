// `npm test` runs this first: it installs what the tests need on a fresh machine
// (node_modules, Debian's Chromium) or stops with the one command that would.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (command) => execSync(command, { stdio: 'inherit' });

if (!existsSync('node_modules/.package-lock.json')) {
  console.log('pretest: node_modules is missing, running npm ci');
  run('npm ci');
}

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  if (process.getuid?.() === 0) {
    console.log("pretest: Chromium is missing, installing Debian's chromium package");
    run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium');
  } else {
    console.error(`pretest: the browser tests need Chromium at ${chromium}. Install it with:\n  sudo apt-get install -y chromium`);
    process.exit(1);
  }
}
