import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

describe('forkAtIdlePriority', () => {
  // Linux with util-linux's chrt, as on this machine and in CI.
  it('forks a process in the idle class, with its IPC channel working, once the probe has answered', async () => {
    expect(await probeIdlePriority()).toBe(true);
    const script = join(mkdtempSync(join(tmpdir(), 'idle-fork-')), 'echo.cjs');
    writeFileSync(script, "process.on('message', (m) => process.send(m, () => process.exit(0)));");
    const child = forkAtIdlePriority(script, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await once(child, 'spawn');
    expect(policyOf(child.pid as number)).toBe(SCHED_IDLE);
    child.send({ hello: 'there' });
    const [answer] = (await once(child, 'message')) as [unknown];
    expect(answer).toEqual({ hello: 'there' });
    await once(child, 'exit');
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
