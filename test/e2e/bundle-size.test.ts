import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assertBuilt } from './support/browser';

const BUDGET_BYTES = 75 * 1024;

describe('the built app shell', () => {
  it('keeps the JavaScript loaded by index.html under 75 KB gzip', () => {
    assertBuilt();
    const html = readFileSync('dist/index.html', 'utf8');
    const scripts = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map(
      (match) => match[1],
    );
    expect(scripts.length).toBeGreaterThan(0);
    const gzipped = scripts.reduce((total, path) => total + gzipSync(readFileSync(join('dist', path))).length, 0);
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("starts the shell's chunk with V8's compile hint, the file's first line (vite.config.ts)", () => {
    assertBuilt();
    const html = readFileSync('dist/index.html', 'utf8');
    const entry = /<script type="module"[^>]*\ssrc="\/([^"]+\.js)"/.exec(html)?.[1];
    expect(entry).toBeDefined();
    const hint = '//# allFunctionsCalledOnLoad';
    const firstLine = (bytes: Buffer) => bytes.toString('utf8').split('\n', 1)[0];
    expect(firstLine(readFileSync(join('dist', entry ?? '')))).toBe(hint);
    // Served precompressed: the .br and .gz copies are of the same bytes.
    expect(firstLine(brotliDecompressSync(readFileSync(join('dist', `${entry}.br`))))).toBe(hint);
    expect(firstLine(gunzipSync(readFileSync(join('dist', `${entry}.gz`))))).toBe(hint);
  });

  it('renders text, never HTML: no component uses v-html or innerHTML', () => {
    const components = readdirSync('client/components').filter((name) => name.endsWith('.vue'));
    expect(components.length).toBeGreaterThan(0);
    for (const name of components) expect(readFileSync(join('client/components', name), 'utf8')).not.toMatch(/v-html|innerHTML/);
  });
});
