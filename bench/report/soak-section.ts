/** The soak's section of latest.md: the load, the drift figures and how they are defined, the minutes side by side. */
import type { SoakResult } from '../load/types';
import type { ServerKind } from '../servers';
import type { RawResults } from './raw';
import { plannedSoakKinds, soakDrift } from './soak';
import { fmt, MB } from './targets';

const TITLES: Partial<Record<ServerKind, string>> = { ours: 'ours', 'null-cluster': 'null cluster', null: 'null' };

function loadLine(result: SoakResult): string {
  const calibration = result.calibration;
  if (!calibration) return `${fmt(result.rate)} msg/s (as given)`;
  return (
    `${fmt(result.rate)} msg/s: half of the ${fmt(calibration.sustainedPerSec)} msg/s that the same ${fmt(result.senders)} senders sustained closed loop (1 in flight each, ${fmt(calibration.ms / 1000)} s) with all ${fmt(result.clients)} clients connected ` +
    `(the lesser of ${fmt(calibration.ackedPerSec)} acked/s and ${fmt(calibration.deliveredPerSec)} deliveries/s ÷ ${fmt(result.clients)} clients: a server acks once stored, its deliveries may lag in socket buffers)`
  );
}

export function soakSection(raw: RawResults): string[] {
  const kinds = plannedSoakKinds(raw);
  const soak = raw.soak;
  if (kinds.length === 0) return [];
  const out = ['## Soak (no drift)', ''];
  if (!soak) return [...out, 'Not measured (see the problems).', ''];
  const measured = kinds.filter((kind) => soak.results[kind]);
  const first = measured.map((kind) => soak.results[kind]).find((result) => result !== undefined);
  if (!first) return [...out, 'Not measured (see the problems).', ''];
  const warmup = soak.warmupMinutes;
  const perMinute = Math.round(first.churnPerMinute * first.clients);
  out.push(
    `${fmt(first.clients)} clients connected, ${fmt(first.senders)} of them sending open loop, ${measured.length > 1 ? 'each server at half of what it sustained itself' : 'at half of what the server sustained'}: ` +
      measured
        .map((kind) => {
          const result = soak.results[kind];
          return `${TITLES[kind] ?? kind} ${result ? loadLine(result) : '—'}`;
        })
        .join('; ') +
      '. Half the 10-client ingest maximum would be thousands of messages a second, each delivered to every client: far beyond the fan-out this machine measures. ' +
      `Each minute ${fmt(first.churnPerMinute * 100)}% of all clients (${fmt(perMinute)}, one every ${fmt(first.minuteMs / Math.max(1, perMinute) / 1000, 1)} s, in turn among those that do not send) drop, stay away ${fmt(first.offlineMs / 1000)} s and reconnect with their cursors, so they catch up what they missed. ` +
      `RSS is the sum over the server's processes, read every ${fmt(first.sampleMs / 1000)} s; a minute's RSS is the median of its reads. A minute's ack p99 is over the messages sent in it, timed by the load process; beside it, where the server has a metrics endpoint, its own (message:send read → ack written, over the acks it wrote in that minute, interpolated in its histogram's buckets: 50, 100, 250, 500 ms…), and the load process's event-loop delay p99: an ack read late by a busy load process is late in the first figure whatever the server did. ` +
      `The first ${warmup} minute${warmup === 1 ? ' is' : 's are'} warm-up: the RSS slope is the least-squares slope over every read after it, and the ack p99 ratio is the median of the later minutes' p99s over the median of the warm-up minutes' p99s (the worst later minute shown beside it).`,
    '',
    '![RSS and ack p99 per minute](soak.svg)',
    '',
  );
  const header = measured.flatMap((kind) => [
    `${TITLES[kind] ?? kind} RSS (MB)`,
    `${TITLES[kind] ?? kind} ack p50 / p99 (ms)`,
    `${TITLES[kind] ?? kind} server's own ack p50 / p99 (ms)`,
    `${TITLES[kind] ?? kind} load loop delay p99 (ms)`,
    `${TITLES[kind] ?? kind} sent / acked`,
    `${TITLES[kind] ?? kind} reconnect p99 (ms)`,
  ]);
  out.push(`| minute | ${header.join(' | ')} |`, `| --- | ${header.map(() => '---').join(' | ')} |`);
  const minutes = Math.max(...measured.map((kind) => soak.results[kind]?.minutes.length ?? 0));
  for (let index = 0; index < minutes; index++) {
    const cells = measured.flatMap((kind) => {
      const minute = soak.results[kind]?.minutes[index];
      if (!minute) return ['—', '—', '—', '—', '—', '—'];
      return [
        fmt(minute.rss === null ? null : minute.rss / MB, 1),
        `${fmt(minute.ack.p50, 1)} / ${fmt(minute.ack.p99, 1)}`,
        minute.serverAck ? `${fmt(minute.serverAck.p50, 1)} / ${fmt(minute.serverAck.p99, 1)}` : '—',
        fmt(minute.loadLoopP99 ?? null),
        `${fmt(minute.sent)} / ${fmt(minute.acked)}`,
        `${fmt(minute.reconnect.p99)} (${minute.reconnect.samples})`,
      ];
    });
    out.push(`| ${index + 1}${index < warmup ? ' (warm-up)' : ''} | ${cells.join(' | ')} |`);
  }
  out.push('');
  for (const kind of measured) {
    const result = soak.results[kind];
    if (!result) continue;
    const drift = soakDrift(result, warmup);
    out.push(
      `- **${TITLES[kind] ?? kind}**: RSS ${fmt(drift.rssSlopeMBPerMin, 2)} MB/min after the warm-up (${drift.rssPoints} reads); ack p99 ${fmt(drift.laterP99, 1)} ms after it against ${fmt(drift.warmupP99, 1)} ms during it (${fmt(drift.p99Ratio, 2)}×, worst minute ${fmt(drift.worstP99Ratio, 2)}×${drift.serverP99Ratio === null ? '' : `; the server's own p99 ${fmt(drift.serverP99Ratio, 2)}×`}); ` +
        `connected ${fmt(result.clients)} in ${fmt(result.connectMs)} ms; ${fmt(result.sent)} sent, ${fmt(result.acked)} acked, ${result.ackErrors} ack errors, ${result.skipped} skipped; ${fmt(result.reconnects)} reconnects, ${result.reconnectFailures} failed, ${fmt(result.drops)} connections dropped by the server or network` +
        (result.delivery
          ? `; every client checked for every seq up to ${fmt(result.delivery.lastSeq)}: ${fmt(result.delivery.missing)} missing, ${fmt(result.delivery.duplicates)} delivered twice.`
          : '.'),
    );
  }
  out.push('');
  return out;
}
