/** index.html's inline scripts run under the Content-Security-Policy by their hashes, and nothing else inline does. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inlineScriptSources } from '../../../server/http/pwa';

const dir = mkdtempSync(join(tmpdir(), 'chat-pwa-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('inline script sources', () => {
  it("names each attribute-less inline script by its body's SHA-256, not the app's module scripts", () => {
    const first = "\n      try { document.documentElement.dataset.boot = 'chat'; } catch {}\n    ";
    writeFileSync(
      join(dir, 'index.html'),
      `<html><head><script>${first}</script><script type="module" src="/assets/index.js"></script></head><body><script>x()</script></body></html>`,
    );
    expect(inlineScriptSources(dir)).toEqual([sha256(first), sha256('x()')]);
    // One character changed is another script: its hash is not the policy's.
    expect(inlineScriptSources(dir)).not.toContain(sha256(first.trim()));
  });

  it('names none where the PWA is not built', () => {
    expect(inlineScriptSources(join(dir, 'missing'))).toEqual([]);
  });
});
