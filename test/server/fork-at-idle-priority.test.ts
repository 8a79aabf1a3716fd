import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forkAtIdlePriority, probeIdlePriority } from '../../server/fork-at-idle-priority';
import { sendProcessesFor } from '../../server/push/send-pool';

/** The scheduling policy of a process (field 41 of /proc/<pid>/stat): 0 normal, 5 SCHED_IDLE. */
function policyOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count from the closing parenthesis.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[41 - 3]);
}

const SCHED_IDLE = 5;

/** The CPUs a process may run on (Cpus_allowed_list in /proc/<pid>/status, e.g. "1" or "1-3"). */
function allowedCpus(pid: number): number[] {
  const list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  return list.split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number) as [number, number?];
    return Array.from({ length: (to as number) - from + 1 }, (_, index) => from + index);
  });
}

/**
 * A child that echoes what it is sent, forked by forkAtIdlePriority once the probe said it can;
 * resolved once it answered (taskset and chrt exec in turn before node runs).
 */
async function echoChild(options: { anyCore?: boolean } = {}): Promise<{ pid: number; stop(): Promise<void> }> {
  expect(await probeIdlePriority()).toBe(true);
  const script = join(mkdtempSync(join(tmpdir(), 'idle-fork-')), 'echo.cjs');
  writeFileSync(script, "process.on('message', (m) => process.send(m)); process.on('disconnect', () => process.exit(0));");
  const child = forkAtIdlePriority(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }, options);
  child.send({ hello: 'there' });
  const [answer] = (await once(child, 'message')) as [unknown];
  expect(answer).toEqual({ hello: 'there' });
  return {
    pid: child.pid as number,
    async stop() {
      const exited = once(child, 'exit');
      child.disconnect();
      await exited;
    },
  };
}

describe('forkAtIdlePriority', () => {
  // Linux with util-linux (chrt, taskset), as on this machine and in CI.
  it('forks a process in the idle class, with its IPC channel working, once the probe has answered', async () => {
    const child = await echoChild();
    expect(policyOf(child.pid)).toBe(SCHED_IDLE);
    // Off the first core, where there is another (this machine and CI have two).
    if (availableParallelism() > 1) expect(allowedCpus(child.pid)).not.toContain(0);
    await child.stop();
  });
});

describe('forkAtIdlePriority with anyCore', () => {
  it('forks in the idle class without the core restriction', async () => {
    const child = await echoChild({ anyCore: true });
    expect(policyOf(child.pid)).toBe(SCHED_IDLE);
    expect(allowedCpus(child.pid)).toEqual(Array.from({ length: availableParallelism() }, (_, index) => index));
    await child.stop();
  });
});

describe('sendProcessesFor', () => {
  it('leaves one core to the event loops, with at least one process and at most four', () => {
    expect(sendProcessesFor(1)).toBe(1);
    expect(sendProcessesFor(2)).toBe(1);
    expect(sendProcessesFor(3)).toBe(2);
    expect(sendProcessesFor(16)).toBe(4);
  });
});
