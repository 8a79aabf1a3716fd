import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runThroughput } from '../../bench/load/scenarios';
import { cleanupAll, startServer, type BenchServer } from '../../bench/servers';

describe('bench load generator against the null server', () => {
  let server: BenchServer;
  beforeAll(async () => {
    server = await startServer('null');
  });
  afterAll(async () => {
    await server?.stop();
    cleanupAll();
  });

  it('counts every ack and every delivery, with nothing lost or duplicated', async () => {
    const result = await runThroughput({
      kind: 'throughput',
      url: server.url,
      dialect: 'ours',
      clients: 5,
      senders: 2,
      window: 2,
      durationMs: 1_500,
      warmupMs: 200,
    });
    expect(result.integrity.lost).toBe(0);
    expect(result.integrity.duplicated).toBe(0);
    expect(result.integrity.ackErrors).toBe(0);
    expect(result.integrity.acked).toBeGreaterThan(10);
    expect(result.drainTimedOut).toBe(false);
    // Every acked message reaches all 5 clients: deliveries ≈ 5 × acks inside the window.
    expect(result.deliveriesPerSec / result.ackedPerSec).toBeGreaterThan(4.5);
    expect(result.deliveriesPerSec / result.ackedPerSec).toBeLessThan(5.5);
    expect(result.ack.p50).not.toBeNull();
    expect(result.delivery.samples).toBeGreaterThanOrEqual(result.ack.samples);
  });
});
