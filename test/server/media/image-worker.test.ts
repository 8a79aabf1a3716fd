/**
 * The image process's pacing (server/media/image-worker.ts), with a real image process and real
 * sharp: photos go one after another while our event loop is free, and rest between them while
 * it is busy (text flowing), so a flood of photos cannot slow the text down.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { createImageWorker, type ImageWorker } from '../../../server/media/image-worker';
import { tempDir } from '../../support/server';

const dir = tempDir('chat-image-worker-');
afterAll(() => dir.remove());

async function photo(name: string): Promise<string> {
  const path = join(dir.path, name);
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3a7' } })
    .jpeg()
    .toFile(path);
  return path;
}

/** Two photos queued at once: the time from the first one's answer to the second one's. */
async function gapBetweenTwo(images: ImageWorker, workDir: string): Promise<number> {
  const job = async (name: string) => ({ path: await photo(name), type: 'image/jpeg', workDir });
  const [a, b] = await Promise.all([job('a.jpg'), job('b.jpg')]);
  let firstAt = 0;
  const first = images.reencode(a).then((outcome) => {
    firstAt = performance.now();
    return outcome;
  });
  const second = images.reencode(b);
  const outcomes = await Promise.all([first, second]);
  expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true]);
  return performance.now() - firstAt;
}

/** Our event loop about 80% busy until `until` settles, as it is while text is flowing. */
function keepBusy(until: Promise<unknown>): void {
  let done = false;
  void until.finally(() => (done = true));
  const spin = () => {
    if (done) return;
    const end = performance.now() + 20;
    while (performance.now() < end);
    setTimeout(spin, 5);
  };
  spin();
}

describe('image worker pacing', () => {
  it('takes the next photo at once while the event loop is free', async () => {
    const images = createImageWorker({ busyShare: 0.25, restMs: 60_000 });
    try {
      expect(await gapBetweenTwo(images, join(dir.path, 'free'))).toBeLessThan(30_000);
    } finally {
      images.close();
    }
  }, 60_000);

  it('rests between photos while the event loop is busy', async () => {
    const images = createImageWorker({ busyShare: 0.25, restMs: 1_500 });
    try {
      let release!: () => void;
      keepBusy(new Promise<void>((resolve) => (release = resolve)));
      const gap = gapBetweenTwo(images, join(dir.path, 'busy'));
      await gap.finally(release);
      // The rest begins just before the first answer reaches us.
      expect(await gap).toBeGreaterThan(1_400);
    } finally {
      images.close();
    }
  }, 60_000);

  it('fails what is queued when the server stops, and takes no more', async () => {
    const images = createImageWorker({ busyShare: 0, restMs: 60_000 });
    const job = { path: await photo('c.jpg'), type: 'image/jpeg', workDir: join(dir.path, 'stop') };
    const first = images.reencode(job);
    const queued = images.reencode(job);
    images.close();
    await expect(first).rejects.toThrow('the server is stopping');
    await expect(queued).rejects.toThrow('the server is stopping');
    await expect(images.reencode(job)).rejects.toThrow('the server is stopping');
  });
});
