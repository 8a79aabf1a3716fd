/**
 * The disk under the benchmark's databases: which filesystem holds them (from
 * /proc/mounts) and how long a durable 4 KiB write takes there (write + fsync),
 * since every SQLite commit with synchronous=FULL waits for at least one fsync.
 */
import { closeSync, fsyncSync, openSync, readFileSync, realpathSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

export type Mount = { mountPoint: string; fsType: string; device: string; options: string };

export type FsyncLatency = { writes: number; bytes: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null };

export type DiskProbe = { dir: string; mount: Mount | null; fsync: FsyncLatency };

/** /proc/mounts escapes spaces and the like as octal (`\040`). */
const unescapeMount = (text: string) => text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** The mount that holds `path` (an absolute, resolved path): the longest mount point that is a prefix of it; the last such line wins. */
export function mountOf(path: string, procMounts: string): Mount | null {
  let best: Mount | null = null;
  for (const line of procMounts.split('\n')) {
    const [device, rawPoint, fsType, options] = line.split(' ');
    if (!device || !rawPoint || !fsType) continue;
    const mountPoint = unescapeMount(rawPoint);
    const inside = mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
    if (inside && (!best || mountPoint.length >= best.mountPoint.length))
      best = { mountPoint, fsType, device: unescapeMount(device), options: options ?? '' };
  }
  return best;
}

/** The value at quantile q of sorted values (nearest rank). */
export function quantileOf(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

/** Appends 4 KiB and fsyncs, `writes` times, in a scratch file in `dir`; the file is removed after. */
export function fsyncLatency(dir: string, writes = 200, bytes = 4096): FsyncLatency {
  const file = join(dir, `fsync-probe-${process.pid}.tmp`);
  const block = Buffer.alloc(bytes, 0x61);
  const times: number[] = [];
  const fd = openSync(file, 'w');
  try {
    for (let index = 0; index < writes; index++) {
      const started = performance.now();
      writeSync(fd, block);
      fsyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  times.sort((a, b) => a - b);
  return { writes, bytes, p50Ms: quantileOf(times, 0.5), p99Ms: quantileOf(times, 0.99), maxMs: times[times.length - 1] ?? null };
}

export function probeDisk(dir: string): DiskProbe {
  let mount: Mount | null = null;
  try {
    mount = mountOf(realpathSync(dir), readFileSync('/proc/mounts', 'utf8'));
  } catch {
    // not Linux: the filesystem stays unknown
  }
  return { dir, mount, fsync: fsyncLatency(dir) };
}
