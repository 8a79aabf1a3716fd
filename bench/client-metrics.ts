/**
 * Client-side measurements of the built PWA: initial JS/CSS (gzip) from
 * dist/index.html, Lighthouse mobile scores, and time to interactive of a warm
 * offline reload in Chromium. Each step answers "not built" or "failed: …"
 * instead of throwing, so the server benchmark still reports.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startBaseline, type BaselineProcess } from './baseline-process';
import { median } from './load/accounting';
import { quietWaitText, waitForQuietMachine, type QuietWait } from './quiet-machine';
import { benchTempDir, startServer } from './servers';

export const CHROMIUM = '/usr/bin/chromium';
/** The guide's Chromium flags (no downloads, no background traffic); Playwright launches add --headless themselves. */
export const CHROME_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export type BundleMetrics =
  | { status: 'ok'; jsGzipBytes: number; cssGzipBytes: number; scripts: string[]; styles: string[]; detail?: string }
  | { status: 'not built' | 'failed'; detail?: string };

/** The performance score's inputs, medians in ms (CLS unitless): what a score below 100 spent. */
export type LighthouseTimings = Record<'fcp' | 'lcp' | 'tbt' | 'si' | 'cls', number | null>;

export type LighthouseMetrics =
  | {
      status: 'ok';
      scores: Record<'performance' | 'accessibility' | 'best-practices', number | null>;
      timings?: LighthouseTimings;
      runs: number;
      /** Each run's performance score and total blocking time, in run order: the spread beside the median. */
      performanceRuns?: Array<number | null>;
      tbtRuns?: Array<number | null>;
      detail?: string;
    }
  | { status: 'not built' | 'failed' | 'skipped'; detail?: string };

export type OfflineMetrics =
  | {
      status: 'ok';
      ms: number | null;
      runs: number[];
      detail?: string;
      /** How busy the machine was before the reloads, and how long they waited for it to go quiet. */
      machine?: QuietWait;
    }
  | { status: 'not built' | 'failed' | 'skipped'; detail?: string };

/** The same two measurements of the null PWA (bench/baselines/null-pwa): this machine's Chromium floor. */
export type ClientFloor = { lighthouse: LighthouseMetrics; offline: OfflineMetrics };

export type ClientMetrics = {
  bundle: BundleMetrics;
  lighthouse: LighthouseMetrics;
  offline: OfflineMetrics;
  floor?: ClientFloor;
  /** What `chromium --version` said: the page loads follow the browser build as well as the machine (absent in older results). */
  chromium?: string;
};

/** The browser's own version line, or why it could not be read. */
function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    return `unknown (${String(error).split('\n')[0]})`;
  }
}

/** Initial assets of index.html: module scripts, modulepreloads and stylesheets (what the first paint waits for). */
export function initialAssets(html: string): { scripts: string[]; styles: string[] } {
  const scripts = new Set<string>();
  const styles = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*\bsrc=["']([^"']+)["'][^>]*>/gi)) if (match[1]) scripts.add(match[1]);
  for (const match of html.matchAll(/<link\b[^>]*>/gi)) {
    const tag = match[0];
    const href = /\bhref=["']([^"']+)["']/i.exec(tag)?.[1];
    if (!href) continue;
    if (/\brel=["']modulepreload["']/i.test(tag)) scripts.add(href);
    else if (/\brel=["']stylesheet["']/i.test(tag)) styles.add(href);
  }
  return { scripts: [...scripts], styles: [...styles] };
}

function assetPath(distDir: string, href: string): string {
  const clean = href
    .replace(/^https?:\/\/[^/]+/, '')
    .replace(/[?#].*$/, '')
    .replace(/^\.?\//, '');
  return join(distDir, clean);
}

export function measureBundle(distDir = 'dist'): BundleMetrics {
  const indexPath = join(distDir, 'index.html');
  if (!existsSync(indexPath)) return { status: 'not built', detail: `${indexPath} is missing (run npm run build)` };
  try {
    const { scripts, styles } = initialAssets(readFileSync(indexPath, 'utf8'));
    const gzipped = (hrefs: string[]) =>
      hrefs.reduce((sum, href) => {
        const file = assetPath(distDir, href);
        return existsSync(file) ? sum + gzipSync(readFileSync(file), { level: 9 }).length : sum;
      }, 0);
    // Inline scripts/styles count too: they are part of index.html's initial cost.
    return { status: 'ok', jsGzipBytes: gzipped(scripts), cssGzipBytes: gzipped(styles), scripts, styles };
  } catch (error) {
    return { status: 'failed', detail: String(error) };
  }
}

/** Starts Chromium with remote debugging on a free port; resolves with its port. */
async function launchChromium(): Promise<{ port: number; process: ChildProcess; close(): void }> {
  const profile = benchTempDir('bench-chromium-');
  const child = spawn(CHROMIUM, [...CHROME_FLAGS, '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const close = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const port = await new Promise<number>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${stderr.slice(-500)}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`chromium exited with ${code}: ${stderr.slice(-500)}`)));
  }).catch((error: unknown) => {
    close();
    throw error;
  });
  return { port, process: child, close };
}

/** Tries per Lighthouse run, when Lighthouse reports its own failure (a runtime error) or throws. */
const LIGHTHOUSE_ATTEMPTS = 3;

export async function measureLighthouse(url: string, runs: number): Promise<LighthouseMetrics> {
  process.env.CHROME_PATH = CHROMIUM;
  const { default: lighthouse } = await import('lighthouse');
  const samples: Array<Record<'performance' | 'accessibility' | 'best-practices', number | null>> = [];
  const timings: LighthouseTimings[] = [];
  const problems: string[] = [];
  for (let run = 0; run < runs; run++) {
    // Lighthouse sometimes fails to record its own trace (NO_NAVSTART: "Please run Lighthouse
    // again") and then scores nothing: such a run is run again, so the median is of `runs` scores.
    for (let attempt = 1; attempt <= LIGHTHOUSE_ATTEMPTS; attempt++) {
      const chrome = await launchChromium();
      try {
        const result = await lighthouse(url, {
          port: chrome.port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility', 'best-practices'],
        });
        if (!result?.lhr.categories) throw new Error('lighthouse returned no result');
        const { lhr } = result;
        if (lhr.runtimeError) {
          problems.push(`run ${run + 1}, attempt ${attempt}: ${lhr.runtimeError.message}`);
          continue;
        }
        const score = (id: string) => {
          const value = lhr.categories[id]?.score;
          return typeof value === 'number' ? Math.round(value * 100) : null;
        };
        samples.push({
          performance: score('performance'),
          accessibility: score('accessibility'),
          'best-practices': score('best-practices'),
        });
        const audit = (id: string) => {
          const value = lhr.audits[id]?.numericValue;
          return typeof value === 'number' ? value : null;
        };
        timings.push({
          fcp: audit('first-contentful-paint'),
          lcp: audit('largest-contentful-paint'),
          tbt: audit('total-blocking-time'),
          si: audit('speed-index'),
          cls: audit('cumulative-layout-shift'),
        });
        break;
      } catch (error) {
        problems.push(`run ${run + 1}, attempt ${attempt}: ${String(error)}`);
      } finally {
        chrome.close();
      }
    }
  }
  if (samples.length === 0) return { status: 'failed', detail: problems.join('; ').slice(0, 500) };
  const performanceRuns = samples.map((sample) => sample.performance);
  const tbtRuns = timings.map((timing) => timing.tbt);
  return {
    status: 'ok',
    runs: samples.length,
    performanceRuns,
    tbtRuns,
    scores: {
      performance: median(performanceRuns),
      accessibility: median(samples.map((s) => s.accessibility)),
      'best-practices': median(samples.map((s) => s['best-practices'])),
    },
    timings: {
      fcp: median(timings.map((t) => t.fcp)),
      lcp: median(timings.map((t) => t.lcp)),
      tbt: median(tbtRuns),
      si: median(timings.map((t) => t.si)),
      cls: median(timings.map((t) => t.cls)),
    },
    ...(problems.length ? { detail: problems.join('; ').slice(0, 500) } : {}),
  };
}

/**
 * Warm offline reload: load the app, join, let the service worker take
 * control, go offline, reload, and time until the "Message" textbox is enabled:
 * measured in the page, from the reload's navigation start to the first frame
 * after the enabled textbox is in the document (a script installed before the
 * page's own watches the DOM), so the harness's round trips are not counted.
 *
 * Warm means the steady state of an installed app, so two online loads come
 * after the first: Chromium makes V8's code cache for a script the service
 * worker serves on its second run from the cache and uses it from the third,
 * and making it takes a task on the page's main thread (20 ms for our shell
 * here) that a person opening the app again does not wait for. The page says
 * when it is ready on the console, not through waitForFunction, whose injected
 * script would run on the page's main thread inside the measured window.
 */
/**
 * In the page, before its scripts: logs `composer-ready <ms>` in the frame after an enabled "Message"
 * textbox appears. A string, not a function: the bench runs through tsx, whose name-keeping helpers would
 * be undefined in the page.
 */
const WATCH_COMPOSER = `(() => {
  const isMessageBox = (el) =>
    el.getAttribute('placeholder') === 'Message' ||
    el.getAttribute('aria-label') === 'Message' ||
    (el.id && document.querySelector('label[for="' + el.id + '"]')?.textContent?.trim() === 'Message');
  const observer = new MutationObserver(() => {
    if (![...document.querySelectorAll('input, textarea')].some((el) => isMessageBox(el) && !el.disabled)) return;
    observer.disconnect();
    requestAnimationFrame(() => console.log('composer-ready ' + performance.now()));
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] });
})();`;

/** The time the page logs with `composer-ready`, or a rejection after 30 s. */
function composerReadyOf(page: Page): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the composer was not enabled within 30 s')), 30_000);
    page.on('console', (line) => {
      const ready = /^composer-ready (\S+)$/.exec(line.text());
      if (!ready) return;
      clearTimeout(timer);
      resolve(Number(ready[1]));
    });
  });
}

export async function measureOfflineReload(url: string, runs: number): Promise<OfflineMetrics> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'], headless: true });
  const times: number[] = [];
  const problems: string[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      const context = await browser.newContext({ viewport: { width: 412, height: 823 }, isMobile: true, hasTouch: true });
      try {
        const page = await context.newPage();
        await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
        const message = page.getByRole('textbox', { name: 'Message' });
        const name = page.getByRole('textbox', { name: 'Name' });
        await Promise.race([message.waitFor({ timeout: 15_000 }), name.waitFor({ timeout: 15_000 })]);
        if (await name.isVisible()) {
          await name.fill(`bench-${run}`);
          await page.getByRole('button', { name: 'Join' }).click();
        }
        await message.waitFor({ timeout: 15_000 });
        // Let the service worker install and activate; a worker that does not claim open
        // clients controls the page from the next load, so warm up with one online reload.
        await page.evaluate(async () => {
          await navigator.serviceWorker.ready;
        });
        const controlled = () => page.evaluate(() => Boolean(navigator.serviceWorker.controller));
        if (!(await controlled())) {
          await page.reload({ waitUntil: 'load', timeout: 30_000 });
          await message.waitFor({ timeout: 15_000 });
        }
        await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller), undefined, { timeout: 20_000 });
        // Two loads served by the worker, so the measured one runs on V8's code cache (see above).
        for (let load = 0; load < 2; load++) {
          await page.reload({ waitUntil: 'load', timeout: 30_000 });
          await message.waitFor({ timeout: 15_000 });
        }
        await context.setOffline(true);
        await page.addInitScript(WATCH_COMPOSER);
        const ready = composerReadyOf(page);
        await page.reload({ waitUntil: 'commit', timeout: 30_000 });
        times.push(Math.round(await ready));
      } catch (error) {
        problems.push(String(error).split('\n')[0] ?? 'error');
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  if (times.length === 0) return { status: 'failed', detail: problems.join('; ').slice(0, 500) };
  return { status: 'ok', ms: median(times), runs: times, ...(problems.length ? { detail: problems.join('; ').slice(0, 500) } : {}) };
}

/** All client metrics; starts our server (which serves dist/) for Lighthouse and the offline reload, then the null PWA for the floor. */
export async function measureClient(runs: number, log: (line: string) => void): Promise<ClientMetrics> {
  const bundle = measureBundle();
  if (bundle.status === 'not built') {
    return { bundle, lighthouse: { status: 'not built' }, offline: { status: 'not built' } };
  }
  // Lighthouse grades the served app; on loopback http://127.0.0.1 counts as a secure origin for the SW.
  const ours = await measureServed(() => startServer('ours'), runs, 'client', log);
  const floor = await measureServed(() => startBaseline('bench/baselines/null-pwa/index.mjs'), runs, 'client, null PWA', log);
  return { bundle, ...ours, floor, chromium: chromiumVersion() };
}

/** Starts a server, measures the page it serves, and stops it; a failure anywhere is the page's result. */
async function measureServed(
  start: () => Promise<BaselineProcess>,
  runs: number,
  label: string,
  log: (line: string) => void,
): Promise<ClientFloor> {
  let served: BaselineProcess | undefined;
  try {
    served = await start();
    return await measurePage(served.url, runs, label, log);
  } catch (error) {
    return { lighthouse: { status: 'failed', detail: String(error) }, offline: { status: 'failed', detail: String(error) } };
  } finally {
    await served?.stop();
  }
}

async function measurePage(url: string, runs: number, label: string, log: (line: string) => void): Promise<ClientFloor> {
  log(`${label}: lighthouse: ${quietWaitText(await waitForQuietMachine())}`);
  const lighthouse = await measureLighthouse(`${url}/`, runs).catch((error: unknown) => ({
    status: 'failed' as const,
    detail: String(error),
  }));
  // A 50 ms reload is timed: not while the scenarios before (or Lighthouse's Chrome) still keep a core busy.
  const machine = await waitForQuietMachine();
  log(`${label}: offline reload: ${quietWaitText(machine)}`);
  const offline = await measureOfflineReload(`${url}/`, runs).then(
    (result) => (result.status === 'ok' ? { ...result, machine } : result),
    (error: unknown) => ({ status: 'failed' as const, detail: String(error) }),
  );
  return { lighthouse, offline };
}
