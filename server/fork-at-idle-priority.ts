/**
 * Forks a helper process (the push senders, the image re-encoder) in Linux's idle scheduling
 * class, SCHED_IDLE, through util-linux's `chrt`, so every thread it starts (libuv's, V8's,
 * libvips') is in that class from the start.
 *
 * Why not nice 19 alone: on Linux 6.6 and later (EEVDF) a waking task of normal priority does
 * not always preempt a nice-19 task at once; the running one may finish its slice first. An
 * ack crosses several processes (worker, primary's group commit, worker), and each hop waited
 * behind a slice of push encryption: other senders' ack p99 went from 8 to 20–30 ms during a
 * 10,000-device fan-out. A SCHED_IDLE task is preempted by any normal task the moment it wakes
 * (and gets only the CPU nobody else wants), which is what background work should get.
 *
 * Where `chrt` is missing or refused (not Linux, a sandbox), the process is forked as usual and
 * lowers its own priority as before.
 */
import { execFile, fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHRT = '/usr/bin/chrt';

let idleClassWorks = false;
let probe: Promise<boolean> | null = null;

/**
 * Finds out, in the background, whether `chrt --idle 0` can start a program here. Called when a
 * pool of helpers is created (at server start), long before its first fork: a synchronous check
 * at fork time would hold the event loop (and the acks behind it) for milliseconds. Resolves to
 * the answer (tests wait for it; the pools do not).
 */
export function probeIdlePriority(): Promise<boolean> {
  probe ??= new Promise((resolve) => {
    if (process.platform !== 'linux' || !existsSync(CHRT)) return resolve(false);
    execFile(CHRT, ['--idle', '0', 'true'], (error) => {
      idleClassWorks = !error;
      resolve(idleClassWorks);
    });
  });
  return probe;
}

export function forkAtIdlePriority(script: string, options: ForkOptions): ChildProcess {
  // Not (yet) known to work: forked as usual, and the process lowers its own priority.
  if (!idleClassWorks) return fork(script, [], options);
  // fork() runs `execPath ...execArgv script`: here `chrt --idle 0 node ...execArgv script`, and
  // chrt execs node in place, so the IPC channel and the environment pass through unchanged.
  return fork(script, [], { ...options, execPath: CHRT, execArgv: ['--idle', '0', process.execPath, ...(options.execArgv ?? [])] });
}
