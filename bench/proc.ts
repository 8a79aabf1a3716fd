/**
 * Reads process memory from /proc (Linux) for a process and all its descendants
 * (primary + workers). RSS counts pages shared between processes (the node
 * binary, ~44 MiB) once per process; PSS splits each shared page among all its
 * sharers on the machine (other node processes included); USS counts only
 * private pages, what the process alone holds.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid of `pid` from /proc/<pid>/stat, or null if it is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isFinite(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/** Live (not zombie) processes of process group `pgid`: a detached server's primary and workers, also after the primary exited. */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') members.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return members;
}

/** `root` and every live descendant of it. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent === null) continue;
    const list = children.get(parent) ?? [];
    list.push(pid);
    children.set(parent, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0 && tree.length < 10_000) {
    const pid = queue.shift();
    if (pid === undefined) break;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident set size of one process in bytes (VmRSS), 0 if it is gone. */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Sum of RSS over `root` and its descendants, bytes. */
export function treeRss(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + rssOf(pid), 0);
}

/** From smaps_rollup, bytes: PSS (shared pages split among their sharers) and USS (pages private to the process); null if unreadable. */
export function smapsOf(pid: number): { pss: number | null; uss: number | null } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kib = (field: string) => {
      const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(rollup);
      return match ? Number(match[1]) * 1024 : null;
    };
    const clean = kib('Private_Clean');
    const dirty = kib('Private_Dirty');
    return { pss: kib('Pss'), uss: clean === null || dirty === null ? null : clean + dirty };
  } catch {
    return { pss: null, uss: null };
  }
}

export type ProcessMemory = {
  pid: number;
  /** `primary` (a root with children), `worker` (its child) or `process` (a root alone). */
  role: 'primary' | 'worker' | 'process';
  rss: number;
  pss: number | null;
  uss: number | null;
};

/** Memory of `root` and each descendant: the root first, then the others by pid (fork order). */
export function processMemory(root: number): ProcessMemory[] {
  const [first, ...rest] = processTree(root);
  if (first === undefined) return [];
  const children = rest.sort((a, b) => a - b);
  const read = (pid: number, role: ProcessMemory['role']): ProcessMemory => ({ pid, role, rss: rssOf(pid), ...smapsOf(pid) });
  return [read(first, children.length > 0 ? 'primary' : 'process'), ...children.map((pid) => read(pid, 'worker'))];
}

/** CPU time (user + system, every thread) of one process, ms; 0 if it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, in USER_HZ ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU time (user + system, every thread) of `root` and its live descendants, ms. */
export function treeCpuMs(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + cpuMsOf(pid), 0);
}

/** Every process's pid (kernel threads too), from /proc. */
export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** The command name of `pid` (/proc/<pid>/comm), or null once it has exited. */
export function commandOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Pids of every process whose command name (/proc/<pid>/comm) is `name`, e.g. `redis-server`. */
export function pidsNamed(name: string): number[] {
  return allPids().filter((pid) => commandOf(pid) === name);
}

/** CPU time the whole machine spent busy (every core; idle and iowait excluded), ms, from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) * 10;
}
