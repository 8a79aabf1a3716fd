/**
 * Waits for the machine to go quiet before a latency measurement. Earlier scenarios can leave
 * work behind that outlives their servers (the kernel writing back deleted databases and uploads,
 * PostgreSQL's autovacuum after the scale-out ingest, a browser still exiting), and on two cores a
 * 50 ms page load feels any of it. The log says how busy the machine was and what was busy, so a
 * slow reload in a report can be told apart from a busy machine.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { allPids, commandOf, cpuMsOf, machineBusyMs } from './proc';

export type QuietWait = {
  /** How long the wait took, ms (0 when the first window was already quiet). */
  waitedMs: number;
  /** How long flushing the dirty pages took, ms (before the first window). */
  syncMs: number;
  /** Busy share of all cores in the first window, 0-1. */
  busyAtStart: number;
  /** Busy share of all cores in the last window, 0-1: above `busyBelow` when the wait gave up. */
  busyAtEnd: number;
  /** The processes busiest in the first window when it was not quiet (name and CPU share of one core), for the log. */
  busiest: Array<{ name: string; share: number }>;
  quiet: boolean;
};

export type QuietOptions = {
  /** Quiet: the machine's busy share of all cores stays below this for a window. */
  busyBelow?: number;
  windowMs?: number;
  /** Give up (and say so) after this long. */
  maxMs?: number;
};

/** Every process's CPU ms (kernel threads too: writeback runs in them), to find which were busy over a window. */
function cpuByPid(): Map<number, number> {
  return new Map(allPids().map((pid) => [pid, cpuMsOf(pid)]));
}

function busiestBetween(before: Map<number, number>, after: Map<number, number>, windowMs: number) {
  return [...after]
    .map(([pid, ms]) => ({ pid, share: (ms - (before.get(pid) ?? ms)) / windowMs }))
    .filter((entry) => entry.share >= 0.05)
    .sort((a, b) => b.share - a.share)
    .slice(0, 5)
    .map(({ pid, share }) => ({ name: commandOf(pid) ?? `pid ${pid}`, share: Math.round(share * 100) / 100 }));
}

/** Flushes dirty pages now, then samples the machine until one window is quiet or `maxMs` passed. */
export async function waitForQuietMachine(options: QuietOptions = {}): Promise<QuietWait> {
  const { busyBelow = 0.1, windowMs = 1_000, maxMs = 120_000 } = options;
  const cores = availableParallelism();
  const started = performance.now();
  // Writeback the scenarios before left to the kernel happens here, not during the measurement.
  execFileSync('sync');
  const syncMs = Math.round(performance.now() - started);
  let busyAtStart: number | null = null;
  let busiest: QuietWait['busiest'] = [];
  for (let window = 0; ; window++) {
    const machineBefore = machineBusyMs();
    const pidsBefore = window === 0 ? cpuByPid() : null;
    await sleep(windowMs);
    const busy = (machineBusyMs() - machineBefore) / (windowMs * cores);
    busyAtStart ??= busy;
    const quiet = busy < busyBelow;
    if (pidsBefore && !quiet) busiest = busiestBetween(pidsBefore, cpuByPid(), windowMs);
    const waitedMs = performance.now() - started;
    if (quiet || waitedMs >= maxMs)
      return { waitedMs: window === 0 && quiet ? 0 : Math.round(waitedMs), syncMs, busyAtStart, busyAtEnd: busy, busiest, quiet };
  }
}

/** A wait in words: what was busy and for how long. */
export function quietWaitText(wait: QuietWait): string {
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  const who = wait.busiest.map((entry) => `${entry.name} ${percent(entry.share)}`).join(', ');
  const sync = wait.syncMs >= 100 ? `, writing back dirty pages took ${(wait.syncMs / 1000).toFixed(1)} s` : '';
  if (wait.waitedMs === 0) return `machine quiet (${percent(wait.busyAtStart)} busy${sync})`;
  return (
    `waited ${(wait.waitedMs / 1000).toFixed(1)} s for a quiet machine (${percent(wait.busyAtStart)} busy at first` +
    `${who ? `: ${who}` : ''}; ${percent(wait.busyAtEnd)} at the end${wait.quiet ? '' : ', gave up'}${sync})`
  );
}
