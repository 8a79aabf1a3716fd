/**
 * Forks a helper process (the push senders, the image re-encoder) as background work: in Linux's
 * idle scheduling class, SCHED_IDLE, and kept off the first core, through util-linux's `taskset`
 * and `chrt`, so every thread it starts (libuv's, V8's, libvips') is so from the start.
 *
 * Why the idle class, not nice 19: on Linux 6.6 and later (EEVDF) a waking task of normal
 * priority does not always preempt a nice-19 task at once; the running one may finish its slice
 * first. An ack crosses several processes (worker, primary's group commit, worker), and each hop
 * waited behind a slice of push encryption: other senders' ack p99 went from 8 to 20–30 ms
 * during a 10,000-device fan-out. A SCHED_IDLE task is preempted by any normal task the moment
 * it wakes, and gets only the CPU nobody else wants.
 *
 * Why off the first core: even idle-class work that fills every core costs the event loops
 * (caches, kernel time, the moment a preemption takes): with all cores busy encrypting, ack p99
 * still doubled; with one core left it stayed within 1.25×. Every helper of every worker shares
 * the other cores, so one core is the event loops' alone, whatever the number of helpers. On a
 * one-core machine there is no other core: the helper runs on it, in the idle class. A pool
 * whose size already leaves a core free (the push senders) asks for `anyCore` instead, so its
 * processes may use whichever core is idle.
 *
 * Where the tools are missing or refused (not Linux, a sandbox), the process is forked as usual
 * and lowers its own priority.
 */
import { execFile, fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';

const CHRT = '/usr/bin/chrt';
const TASKSET = '/usr/bin/taskset';

/** The program and arguments that start a command as background work, or null where that fails. */
let launcher: string[] | null = null;
let probe: Promise<boolean> | null = null;

/** `taskset -c 1-<n-1> chrt --idle 0`, or just `chrt --idle 0` on one core. */
function backgroundLauncher(cores: number): string[] {
  const idle = [CHRT, '--idle', '0'];
  return cores > 1 && existsSync(TASKSET) ? [TASKSET, '--cpu-list', `1-${cores - 1}`, ...idle] : idle;
}

/**
 * Finds out, in the background, whether the launcher can start a program here. Called when a
 * pool of helpers is created (at server start), long before its first fork: a synchronous check
 * at fork time would hold the event loop (and the acks behind it) for milliseconds. Resolves to
 * the answer (tests wait for it; the pools do not).
 */
export function probeIdlePriority(): Promise<boolean> {
  probe ??= new Promise((resolve) => {
    if (process.platform !== 'linux' || !existsSync(CHRT)) return resolve(false);
    const [program, ...args] = backgroundLauncher(availableParallelism());
    execFile(program as string, [...args, 'true'], (error) => {
      if (!error) launcher = [program as string, ...args];
      resolve(!error);
    });
  });
  return probe;
}

/**
 * `anyCore`: in the idle class but on any core, for helpers whose number already leaves a core
 * free (the push senders: one per core but one), so they may use whichever core is idle; pinned,
 * one sender got only what the event loops left of its one core (968 pushes/s, not 1,500).
 */
export function forkAtIdlePriority(script: string, args: string[], options: ForkOptions, { anyCore = false } = {}): ChildProcess {
  // Not (yet) known to work: forked as usual, and the process lowers its own priority (lowerOwnPriority).
  if (!launcher) return fork(script, args, options);
  // Without the core restriction: from `chrt` on.
  const [program, ...prefix] = anyCore ? launcher.slice(launcher.indexOf(CHRT)) : launcher;
  // fork() runs `execPath ...execArgv script`: here `taskset … chrt --idle 0 node ...execArgv
  // script`; each execs the next in place, so the IPC channel and the environment pass through.
  return fork(script, args, {
    ...options,
    execPath: program,
    execArgv: [...prefix, process.execPath, ...(options.execArgv ?? [])],
  });
}

const LOWEST_PRIORITY = 19;

/**
 * The helper's own side, for where the launch above was not available: nice 19, set before any
 * thread exists so later threads inherit it; and with `sessionGroup`, for a helper forked
 * detached (a session of its own), that session's scheduling group (Linux autogroup) at the
 * lowest priority too, as a nice value only ranks the tasks inside one group. Never for a helper
 * in the server's session: it would lower the server's own group. Harmless in the idle class.
 */
export function lowerOwnPriority({ sessionGroup }: { sessionGroup: boolean }): void {
  try {
    setPriority(LOWEST_PRIORITY);
  } catch {
    // Not permitted or not supported here: the work still gets done, at normal priority.
  }
  if (!sessionGroup) return;
  try {
    writeFileSync('/proc/self/autogroup', String(LOWEST_PRIORITY));
  } catch {
    // No autogroup (off, or not Linux): the nice value above is what counts.
  }
}
