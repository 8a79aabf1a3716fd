/**
 * Bytes on the wire per message (#17), from the byte counts the load clients kept at their
 * TCP sockets (bench/load/wire.ts): WebSocket frames with their headers, after the
 * handshake. Medians over runs; pure.
 */
import type { CatchupResult, ThroughputResult } from '../load/types';
import type { ServerKind } from '../servers';
import type { InRun, RawResults } from './raw';
import { medianOf, ratio, type Med } from './stats';
import { fmt, fmtRatio } from './targets';
import { TITLES } from './titles';

const KINDS: ServerKind[] = ['ours', 'tutorial', 'null', 'null-cluster'];

const per = (bytes: number, count: number) => (count > 0 ? bytes / count : null);

/** Bytes a client that only receives read per message delivered to it (no acks in it). */
export const receivedPerDelivery = (runs: ReadonlyArray<ThroughputResult>): Med =>
  medianOf(runs.map((run) => (run.wire ? per(run.wire.receiversRead, run.wire.receiverDeliveries) : null)));

/** Bytes every client read per delivery, the senders' acks included. */
export const readPerDelivery = (runs: ReadonlyArray<ThroughputResult>): Med =>
  medianOf(runs.map((run) => (run.wire ? per(run.wire.read, run.wire.deliveries) : null)));

/** Bytes the clients wrote per message sent (the sends; the receivers write next to nothing). */
export const writtenPerSend = (runs: ReadonlyArray<ThroughputResult>): Med =>
  medianOf(runs.map((run) => (run.wire ? per(run.wire.written, run.wire.sends) : null)));

/** Bytes the catching-up client read per missed message, its handshake included. */
export const readPerCatchupMessage = (runs: ReadonlyArray<InRun<CatchupResult>>): Med =>
  medianOf(runs.map((run) => (run.ms !== null && run.bytesRead !== undefined ? per(run.bytesRead, run.missed) : null)));

/** The "Bytes on the wire" section; empty when nothing carried byte counts. */
export function wireSection(raw: RawResults, catchupSize: string): string[] {
  const rows: Array<[string, (kind: ServerKind) => Med]> = [
    ['fan-out: read per delivered message, by a client that only receives', (kind) => receivedPerDelivery(raw.servers[kind]?.fanout ?? [])],
    ['fan-out: written per sent message', (kind) => writtenPerSend(raw.servers[kind]?.fanout ?? [])],
    [
      'ingest: read per delivered message (every client sends: its acks included)',
      (kind) => readPerDelivery(raw.servers[kind]?.ingest ?? []),
    ],
    ['ingest: written per sent message', (kind) => writtenPerSend(raw.servers[kind]?.ingest ?? [])],
    [
      `catch-up of ${Number(catchupSize).toLocaleString('en-US')} after a restart: read per message`,
      (kind) => readPerCatchupMessage(raw.servers[kind]?.catchupRestarted?.[catchupSize] ?? []),
    ],
    [
      `catch-up of ${Number(catchupSize).toLocaleString('en-US')}, warm: read per message`,
      (kind) => readPerCatchupMessage(raw.servers[kind]?.catchup[catchupSize] ?? []),
    ],
  ];
  const measured = rows.filter(([, pick]) => KINDS.some((kind) => pick(kind).n > 0));
  if (measured.length === 0) return [];
  const cell = (med: Med) => (med.n === 0 ? '—' : med.n > 1 ? `${fmt(med.value)} (${fmt(med.min)}–${fmt(med.max)})` : fmt(med.value));
  return [
    '## Bytes on the wire (per message, at the clients’ TCP sockets)',
    '',
    'Counted by each load client at its TCP socket (an http.Agent the WebSocket connects through): WebSocket frames with their 2–8-byte headers, no TCP/IP headers, after the handshake for fan-out and ingest; a catch-up counts its handshake too (a few hundred bytes over thousands of messages). No compression on either side. Median of the runs.',
    '',
    `| bytes | ${KINDS.map((kind) => TITLES[kind]).join(' | ')} | ours/tutorial | ours/null cluster |`,
    `| --- | ${KINDS.map(() => '---').join(' | ')} | --- | --- |`,
    ...measured.map(([label, pick]) => {
      const ours = pick('ours').value;
      return `| ${label} | ${KINDS.map((kind) => cell(pick(kind))).join(' | ')} | ${fmtRatio(ratio(ours, pick('tutorial').value))} | ${fmtRatio(ratio(ours, pick('null-cluster').value))} |`;
    }),
    '',
  ];
}
