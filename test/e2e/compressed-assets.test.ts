/**
 * The built PWA goes over the wire compressed: the build writes Brotli and gzip copies of its
 * text assets (scripts/compress-dist.mjs) and the real server sends the copy the browser takes
 * (http/pwa.ts), with the caching rules unchanged.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/server-fixture';

type Raw = { headers: Record<string, string | string[] | undefined>; body: Buffer };

/** A GET whose body is left as sent (fetch would decode it). */
function rawGet(url: string, acceptEncoding?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: acceptEncoding ? { 'Accept-Encoding': acceptEncoding } : {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the PWA on the wire', () => {
  const server = useServer();
  const scripts = readdirSync('dist/assets').filter((name) => name.endsWith('.js'));

  it('has a Brotli and a gzip copy of every script that decompress to it', () => {
    expect(scripts.length).toBeGreaterThan(5);
    for (const name of scripts) {
      const path = join('dist/assets', name);
      const original = readFileSync(path);
      if (original.length < 1024) continue;
      expect(brotliDecompressSync(readFileSync(`${path}.br`)).equals(original)).toBe(true);
      expect(gunzipSync(readFileSync(`${path}.gz`)).equals(original)).toBe(true);
    }
  });

  it('sends Brotli, gzip or the file as the browser accepts, cached for a year either way', async () => {
    const name = scripts.reduce((largest, candidate) =>
      readFileSync(join('dist/assets', candidate)).length > readFileSync(join('dist/assets', largest)).length ? candidate : largest,
    );
    const original = readFileSync(join('dist/assets', name));
    const url = `${server().url}/assets/${name}`;

    const brotli = await rawGet(url, 'gzip, deflate, br');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers.vary).toContain('Accept-Encoding');
    expect(brotli.headers['content-type']).toMatch(/javascript/);
    expect(brotli.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotli.body.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(brotli.body).equals(original)).toBe(true);

    const gzip = await rawGet(url, 'gzip');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(original)).toBe(true);

    const plain = await rawGet(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(original)).toBe(true);
  });

  it('compresses the shell too, and has it revalidated every time', async () => {
    const shell = await rawGet(`${server().url}/`, 'br');
    expect(shell.headers['content-encoding']).toBe('br');
    expect(shell.headers['cache-control']).toBe('no-cache');
    expect(brotliDecompressSync(shell.body).toString()).toContain('<div id="app">');
  });
});
