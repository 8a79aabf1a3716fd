/**
 * Search on the device (#14): the built PWA in real Chromium holding 50,000 messages (written
 * into its IndexedDB directly, 50 rooms within the per-room storage bound), offline, answering
 * typed queries from its search sheet. Each sample is the time from the input event to the
 * sheet showing that query's results (or saying nothing matched), MutationObserver-timed.
 */
import { existsSync } from 'node:fs';
import { CHROME_FLAGS, CHROMIUM } from './client-metrics';
import { startServer } from './servers';

export type DeviceSearchResult = { stored: number; firstMs: number; ms: number[] };

const ROOMS = 50;
const PER_ROOM = 1000;
const QUERIES = 60;

/** Runs in the page: the vocabulary of bench/history.ts (made-up words, uniform frequency). */
const PAGE_WORDS = `
  const syllables = ['ka', 'lo', 'mi', 'ra', 'ten', 'su', 'vo', 'ne', 'pra', 'dil', 'gu', 'shi', 'ma', 'ber', 'zo', 'te'];
  const VOCABULARY = 5000;
  const word = (n) => { let text = ''; for (let rest = n + VOCABULARY; rest > 0; rest = Math.floor(rest / 16)) text += syllables[rest % 16]; return text; };
  const rng = (seed) => { let state = seed >>> 0; return () => { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; return state / 2 ** 32; }; };
`;

export async function measureDeviceSearch(): Promise<DeviceSearchResult> {
  if (!existsSync('dist/index.html')) throw new Error('dist/ is not built (npm run build)');
  const server = await startServer('ours');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROME_FLAGS.filter((flag) => flag !== '--headless'),
    headless: true,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    // tsx keeps function names with a helper the page lacks: evaluated callbacks need it defined.
    await context.addInitScript('globalThis.__name = (fn) => fn');
    const page = await context.newPage();
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await page.getByRole('textbox', { name: 'Name' }).fill('Bench searcher');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.getByRole('textbox', { name: 'Message' }).waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    if (!(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)))) await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => Boolean(navigator.serviceWorker.controller));
    const stored = await page.evaluate(
      async ({ rooms, perRoom, words }) => {
        const { word, rng } = new Function(`${words}; return { word, rng };`)() as {
          word: (n: number) => string;
          rng: (seed: number) => () => number;
        };
        const random = rng(7);
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open('offline-chat');
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        const author = { id: 'bench-author', name: 'Bench author' };
        const tx = db.transaction('messages', 'readwrite');
        const messages = tx.objectStore('messages');
        let count = 0;
        for (let r = 0; r < rooms; r++) {
          const room = `bench-${String(r).padStart(2, '0')}`;
          for (let seq = 1; seq <= perRoom; seq++) {
            const clientOffset = `${room}-${seq}`;
            const content = Array.from({ length: 8 }, () => word(Math.floor(random() * 5000))).join(' ');
            messages.put({
              key: `${author.id}/${clientOffset}`,
              room,
              clientOffset,
              author,
              content,
              state: 'sent',
              ts: 1e12 + count,
              id: ++count,
              seq,
            });
          }
        }
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        db.close();
        return count;
      },
      { rooms: ROOMS, perRoom: PER_ROOM, words: PAGE_WORDS },
    );
    // Offline, as the target says: the reload comes from the service worker, the answers from the device.
    await context.setOffline(true);
    await page.reload({ waitUntil: 'load' });
    await page.getByRole('textbox', { name: 'Message' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('searchbox', { name: 'Search messages' }).waitFor();
    const times = await page.evaluate(
      async ({ queries, words }) => {
        const { word, rng } = new Function(`${words}; return { word, rng };`)() as {
          word: (n: number) => string;
          rng: (seed: number) => () => number;
        };
        const field = document.getElementById('search-field') as HTMLInputElement;
        const sheet = field.closest('dialog') as HTMLDialogElement;
        /** The sheet shows this query's answer: every highlight is (a word starting with) one of its words, or it says nothing matched. */
        const answered = (terms: string[], text: string) => {
          const marks = [...sheet.querySelectorAll('mark')].map((mark) => (mark.textContent ?? '').toLowerCase());
          if (marks.length > 0) return marks.every((mark) => terms.some((term) => mark.startsWith(term)));
          return (sheet.textContent ?? '').includes(`“${text}”`);
        };
        const ask = (text: string) =>
          new Promise<number>((resolve) => {
            const terms = text.split(' ');
            const started = performance.now();
            const observer = new MutationObserver(() => {
              if (!answered(terms, text)) return;
              observer.disconnect();
              resolve(performance.now() - started);
            });
            observer.observe(sheet, { childList: true, subtree: true, characterData: true });
            field.value = text;
            field.dispatchEvent(new Event('input'));
          });
        const random = rng(11);
        const texts: string[] = [];
        let previous = '';
        while (texts.length <= queries) {
          const first = word(Math.floor(random() * 5000));
          // Consecutive queries start differently, so the last answer never passes for this one.
          if (first.slice(0, 2) === previous.slice(0, 2)) continue;
          const kind = texts.length % 3;
          // Whole words, two words (both must match), and a word still being typed (its first three letters).
          const text = kind === 0 ? first : kind === 1 ? `${first} ${word(Math.floor(random() * 5000))}` : first.slice(0, 3);
          texts.push(text);
          previous = text;
        }
        const ms: number[] = [];
        for (const text of texts) {
          ms.push(await ask(text));
          // The answer painted, then a typist's pause: one query's layout is never counted in the next.
          await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return ms;
      },
      { queries: QUERIES, words: PAGE_WORDS },
    );
    const [firstMs = 0, ...ms] = times;
    return { stored, firstMs, ms };
  } finally {
    await browser.close();
    await server.stop();
  }
}
