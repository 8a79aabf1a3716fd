import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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

  it('renders text, never HTML: no component uses v-html or innerHTML', () => {
    const components = readdirSync('client/components').filter((name) => name.endsWith('.vue'));
    expect(components.length).toBeGreaterThan(0);
    for (const name of components) expect(readFileSync(join('client/components', name), 'utf8')).not.toMatch(/v-html|innerHTML/);
  });
});
