import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runThroughput } from '../../bench/load/scenarios';
import { cleanupAll, startServer, type BenchServer, type ServerKind } from '../../bench/servers';

describe.each<ServerKind>(['null', 'null-cluster'])('bench load generator against the %s server', (kind) => {
  let server: BenchServer;
  beforeAll(async () => {
    server = await startServer(kind, { workers: 2 });
  });
  afterAll(async () => {
    await server?.stop();
    cleanupAll();
  });

  it('counts every ack and every delivery, with nothing lost or duplicated', async () => {
    expect(server.healthz).toMatchObject({ ok: true, store: 'none', workers: kind === 'null' ? 1 : 2 });
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
    // Every acked message reaches all 5 clients (in the cluster, those of the other worker too): deliveries ≈ 5 × acks.
    expect(result.deliveriesPerSec / result.ackedPerSec).toBeGreaterThan(4.5);
    expect(result.deliveriesPerSec / result.ackedPerSec).toBeLessThan(5.5);
    expect(result.ack.p50).not.toBeNull();
    expect(result.delivery.samples).toBeGreaterThanOrEqual(result.ack.samples);
  });
});
