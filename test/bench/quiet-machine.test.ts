/** The wait before the bench's page loads: it reads the real machine, and says what it saw. */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { quietWaitText, waitForQuietMachine, type QuietWait } from '../../bench/quiet-machine';

const wait = (overrides: Partial<QuietWait>): QuietWait => ({
  waitedMs: 0,
  syncMs: 5,
  busyAtStart: 0.02,
  busyAtEnd: 0.02,
  busiest: [],
  quiet: true,
  ...overrides,
});

describe('waiting for a quiet machine', () => {
  it('samples the machine and answers within its limit', async () => {
    const started = performance.now();
    // A busy loop on this process keeps most of one core busy: no window is quiet below a third of one core.
    const busyBelow = 0.3 / availableParallelism();
    const spinning = setInterval(() => {
      const until = performance.now() + 45;
      while (performance.now() < until);
    }, 50);
    const result = await waitForQuietMachine({ windowMs: 200, maxMs: 500, busyBelow }).finally(() => clearInterval(spinning));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.busyAtStart).toBeGreaterThanOrEqual(busyBelow);
    expect(result.quiet).toBe(false);
    expect(result.waitedMs).toBeGreaterThanOrEqual(500);
  });

  it('says how busy it was, who was busy, and when it gave up', () => {
    expect(quietWaitText(wait({}))).toBe('machine quiet (2% busy)');
    expect(
      quietWaitText(
        wait({ waitedMs: 4_200, syncMs: 1_500, busyAtStart: 0.6, busyAtEnd: 0.05, busiest: [{ name: 'postgres', share: 0.9 }] }),
      ),
    ).toBe('waited 4.2 s for a quiet machine (60% busy at first: postgres 90%; 5% at the end, writing back dirty pages took 1.5 s)');
    expect(quietWaitText(wait({ waitedMs: 120_000, busyAtStart: 0.5, busyAtEnd: 0.4, quiet: false }))).toContain('40% at the end, gave up');
  });
});
