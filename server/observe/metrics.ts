/**
 * The process's Prometheus metrics (prom-client): counters, gauges and
 * histograms only, so the send path pays an increment, never an allocation.
 * Each process keeps its own; the cluster's primary sums them on a scrape
 * (process/metrics-endpoint.ts).
 */
import { AggregatorRegistry, Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { FastHistogram } from './fast-histogram';

export const registry = new Registry();
const registers = [registry];

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const metrics = {
  socketsConnected: new Gauge({ name: 'chat_sockets_connected', help: 'Socket.IO connections open now', registers }),
  messagesAcked: new Counter({ name: 'chat_messages_acked_total', help: 'Sends answered ok (new or absorbed resends)', registers }),
  duplicatesAbsorbed: new Counter({
    name: 'chat_duplicate_resends_total',
    help: 'Resends of a clientOffset already stored, answered with the stored message',
    registers,
  }),
  errors: new Counter({ name: 'chat_errors_total', help: 'Error answers to clients, by protocol code', labelNames: ['code'], registers }),
  rateLimited: new Counter({
    name: 'chat_rate_limited_total',
    help: 'Requests refused for a spent budget',
    labelNames: ['budget'],
    registers,
  }),
  commitBatchSize: new FastHistogram({
    name: 'chat_commit_batch_size',
    help: 'Writes per store commit (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers,
  }),
  commitSeconds: new FastHistogram({
    name: 'chat_commit_seconds',
    help: 'Time one store commit took',
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  ackSeconds: new FastHistogram({
    name: 'chat_ack_seconds',
    help: 'From a message:send arriving to its ack being sent',
    buckets: LATENCY_BUCKETS,
    registers,
  }),
  catchUpPages: new Counter({ name: 'chat_catch_up_pages_total', help: 'message:batch pages written by catch-up', registers }),
  catchUpBytes: new Counter({ name: 'chat_catch_up_bytes_total', help: 'Bytes of message:batch pages written by catch-up', registers }),
  connectionsOpen: new Gauge({
    name: 'chat_connections_open',
    help: 'TCP connections the front door counts now (cluster primary)',
    registers,
  }),
  frontDoorRefusals: new Counter({
    name: 'chat_front_door_refusals_total',
    help: 'Connections the front door answered and closed, by HTTP status',
    labelNames: ['status'],
    registers,
  }),
};

/** Event-loop lag and the usual process figures (memory, CPU, handles), from prom-client. */
export function collectProcessMetrics(): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

/** A cluster worker: answer the primary's scrape requests with this registry (prom-client's own IPC messages). */
export function answerClusterScrapes(): void {
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
}

/** Wraps a commit so its batch size and duration are observed. */
export function observedCommit<I, R>(commit: (batch: I[]) => R | Promise<R>): (batch: I[]) => R | Promise<R> {
  return (batch) => {
    const started = performance.now();
    metrics.commitBatchSize.observe(batch.length);
    const done = () => metrics.commitSeconds.observe((performance.now() - started) / 1000);
    const result = commit(batch);
    if (result instanceof Promise) return result.finally(done);
    done();
    return result;
  };
}
