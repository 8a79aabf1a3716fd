import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runThroughput } from '../../bench/load/scenarios';
import { runSoak } from '../../bench/load/soak-job';
import { cleanupAll, metricsEndpoint, startServer, type BenchServer, type ServerKind } from '../../bench/servers';

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
    // Bytes at the sockets: a delivery is one message:new frame of a ~100-character message with its envelope.
    const wire = result.wire;
    expect(wire?.receiverDeliveries).toBeGreaterThan(0);
    const perDelivery = (wire?.receiversRead ?? 0) / (wire?.receiverDeliveries ?? 1);
    expect(perDelivery).toBeGreaterThan(150);
    expect(perDelivery).toBeLessThan(600);
    expect((wire?.written ?? 0) / (wire?.sends ?? 1)).toBeGreaterThan(100);
  });
});

describe('bench load generator and soak against our server', () => {
  let server: BenchServer;
  let metricsUrl = '';
  beforeAll(async () => {
    const metrics = await metricsEndpoint();
    metricsUrl = metrics.url;
    server = await startServer('ours', { workers: 2, env: metrics.env });
  });
  afterAll(async () => {
    await server?.stop();
    cleanupAll();
  });

  it('takes turns between sends only, the mix and receipts in one run, each phase doing its own shape', async () => {
    const result = await runThroughput({
      kind: 'throughput',
      url: server.url,
      dialect: 'ours',
      clients: 6,
      senders: 3,
      window: 2,
      // Two turns of the three shapes, each phase long enough for a receipt tick (250 ms).
      durationMs: 3_600,
      warmupMs: 200,
      mix: { reactions: 0.2, edits: 0.1 },
      alternate: { phaseMs: 600 },
    });
    expect(result.integrity.lost).toBe(0);
    expect(result.integrity.duplicated).toBe(0);
    expect(result.integrity.ackErrors).toBe(0);
    expect(result.changes?.errors).toBe(0);
    expect(result.changes?.acked).toBeGreaterThan(0);
    const shapes = result.shapes;
    expect(shapes?.send.ms).toBe(1_200);
    expect(shapes?.mixed.ms).toBe(1_200);
    expect(shapes?.ticks.ms).toBe(1_200);
    // The mixed phases add edits and reactions to their sends; the other shapes send alone, but an op counts where its
    // ack lands, so a phase after a mixed one (the window's first comes after the warm-up's last, mixed) may get the
    // changes still in flight: at most 3 senders × 2 a phase, 2 phases a shape.
    for (const shape of [shapes?.send, shapes?.ticks])
      expect(((shape?.opsPerSec ?? 0) - (shape?.ackedPerSec ?? 0)) * 1.2).toBeLessThanOrEqual(2 * 6);
    expect(shapes?.mixed.opsPerSec).toBeGreaterThan(shapes?.mixed.ackedPerSec ?? Infinity);
    // Receipts go out in the receipts phases only (one may land just past a phase's end).
    expect(shapes?.ticks.receipts).toBeGreaterThanOrEqual(6);
    expect((shapes?.send.receipts ?? 0) + (shapes?.mixed.receipts ?? 0)).toBeLessThanOrEqual(6);
    for (const shape of [shapes?.send, shapes?.mixed, shapes?.ticks]) expect(shape?.ackP99).toBeGreaterThan(0);
  });

  it('calibrates, sends at half, reads RSS and acks per minute, and reconnecting clients catch up with their cursors', async () => {
    const result = await runSoak({
      kind: 'soak',
      url: server.url,
      dialect: 'ours',
      serverPid: server.pid,
      clients: 30,
      senders: 6,
      durationMs: 4_000,
      minuteMs: 2_000,
      rate: null,
      calibrateMs: 1_000,
      // 30 clients × 0.4 = 12 reconnects a "minute": one every 167 ms, each away for 300 ms.
      churnPerMinute: 0.4,
      offlineMs: 300,
      sampleMs: 250,
      checkDelivery: true,
      metricsUrl,
    });
    expect(result.calibration?.ackedPerSec).toBeGreaterThan(0);
    expect(result.calibration?.sustainedPerSec).toBeLessThanOrEqual(result.calibration?.ackedPerSec ?? 0);
    expect(result.rate).toBe(Math.max(1, Math.round((result.calibration?.sustainedPerSec ?? 0) / 2)));
    expect(result.minutes.map((minute) => minute.minute)).toEqual([1, 2]);
    for (const minute of result.minutes) {
      expect(minute.rss).toBeGreaterThan(50e6);
      expect(minute.acked).toBe(minute.sent);
      expect(minute.ack.p99).not.toBeNull();
      // The server's own view of the same minute's acks, and how late the load process ran.
      expect(minute.serverAck?.p99).toBeGreaterThan(0);
      expect(minute.loadLoopP99).toBeGreaterThan(0);
    }
    expect(result.samples.length).toBeGreaterThanOrEqual(10);
    expect(result.reconnects).toBeGreaterThanOrEqual(20);
    expect(result.reconnectFailures).toBe(0);
    expect(result.ackErrors).toBe(0);
    // Every client, the ones that were away included, holds every seq.
    expect(result.delivery?.lastSeq).toBeGreaterThan(result.sent);
    expect(result.delivery?.missing).toBe(0);
  });
});
