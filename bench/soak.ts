/**
 * The soak (#17): each server in turn, freshly started, with the same clients, churn and
 * duration (bench/load/soak-job.ts). Unless a rate is given, each calibrates in the soak's
 * shape and is sent half of what it sustained: the null cluster shows what a server doing
 * nothing but Socket.IO drifts by on this machine at the same share of its own capacity.
 */
import type { SoakResult } from './load/types';
import { runLoadJob } from './load-process';
import { dialectOf, withServer, type MeasureContext } from './measure';
import { metricsEndpoint, type ServerKind } from './servers';

export async function measureSoak(kind: ServerKind, context: MeasureContext, rate: number | null): Promise<SoakResult> {
  const soak = context.settings.soak;
  // Ours exposes its own ack histogram: scraped each minute, it separates the server's share of the acks' time.
  const metrics = kind === 'ours' ? await metricsEndpoint() : null;
  const result = await withServer(kind, metrics ? { env: metrics.env } : {}, context, (server) =>
    runLoadJob<SoakResult>(
      {
        kind: 'soak',
        url: server.url,
        dialect: dialectOf(kind),
        serverPid: server.pid,
        clients: soak.clients,
        senders: soak.senders,
        durationMs: soak.durationMs,
        minuteMs: 60_000,
        rate,
        calibrateMs: soak.calibrateMs,
        churnPerMinute: soak.churnPerMinute,
        offlineMs: soak.offlineMs,
        sampleMs: soak.sampleMs,
        // The null server stamps ids per worker and replays nothing: only our seqs can be checked.
        checkDelivery: kind === 'ours',
        metricsUrl: metrics?.url ?? null,
      },
      2 * soak.durationMs + 10 * 60_000,
    ),
  );
  const mb = (bytes: number | null) => (bytes === null ? '—' : (bytes / 1e6).toFixed(1));
  context.log(
    `${kind}: soak ${result.clients} clients, ${result.rate} msg/s${result.calibration ? ` (half of the ${result.calibration.sustainedPerSec.toFixed(0)} msg/s a calibration sustained)` : ''}; ` +
      `per minute RSS ${result.minutes.map((minute) => mb(minute.rss)).join(' ')} MB, ack p99 ${result.minutes.map((minute) => minute.ack.p99?.toFixed(1) ?? '—').join(' ')} ms` +
      (metrics === null
        ? ''
        : ` (the server's own ${result.minutes.map((minute) => minute.serverAck?.p99?.toFixed(1) ?? '—').join(' ')})`) +
      `, load process loop delay p99 ${result.minutes.map((minute) => minute.loadLoopP99?.toFixed(0) ?? '—').join(' ')} ms; ` +
      `${result.reconnects} reconnects (${result.reconnectFailures} failed), ${result.ackErrors} ack errors, ${result.skipped} skipped` +
      (result.delivery
        ? `; ${result.delivery.missing} missing, ${result.delivery.duplicates} duplicated up to seq ${result.delivery.lastSeq}`
        : ''),
  );
  return result;
}
