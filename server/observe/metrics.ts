/**
 * The process's Prometheus metrics: counters, gauges and histograms of our
 * own, so the send path pays an increment, never an allocation, and a process
 * whose /metrics is off never loads prom-client (about 4 MB of each process's
 * memory). Once /metrics is on, prom-client's registry reads ours, adds the
 * process figures, and the cluster's primary sums every process's on a
 * scrape (process/metrics-endpoint.ts).
 */
import type { Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram';
import { Counter, Gauge, LabelledCounter } from './plain-metrics';

/** The Prometheus text format's content type (prom-client's default). */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const metrics = {
  socketsConnected: new Gauge('chat_sockets_connected', 'Socket.IO connections open now'),
  messagesAcked: new Counter('chat_messages_acked_total', 'Sends answered ok (new or absorbed resends)'),
  duplicatesAbsorbed: new Counter(
    'chat_duplicate_resends_total',
    'Resends of a clientOffset already stored, answered with the stored message',
  ),
  errors: new LabelledCounter('chat_errors_total', 'Error answers to clients, by protocol code', 'code'),
  rateLimited: new LabelledCounter('chat_rate_limited_total', 'Requests refused for a spent budget', 'budget'),
  commitBatchSize: new FastHistogram({
    name: 'chat_commit_batch_size',
    help: 'Writes per store commit (group commit)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  }),
  commitSeconds: new FastHistogram({ name: 'chat_commit_seconds', help: 'Time one store commit took', buckets: LATENCY_BUCKETS }),
  ackSeconds: new FastHistogram({
    name: 'chat_ack_seconds',
    help: 'From a message:send arriving to its ack being sent',
    buckets: LATENCY_BUCKETS,
  }),
  catchUpPages: new Counter('chat_catch_up_pages_total', 'message:batch pages written by catch-up'),
  catchUpBytes: new Counter('chat_catch_up_bytes_total', 'Bytes of message:batch pages written by catch-up'),
  connectionsOpen: new Gauge('chat_connections_open', 'TCP connections the front door counts now (cluster primary)'),
  frontDoorRefusals: new LabelledCounter(
    'chat_front_door_refusals_total',
    'Connections the front door answered and closed, by HTTP status',
    'status',
  ),
};

type PromClient = typeof import('prom-client');
let loaded: Promise<{ client: PromClient; registry: Registry }> | undefined;

/** prom-client and its registry holding this process's metrics: prom-client is loaded here, on first use. */
export function promClient(): Promise<{ client: PromClient; registry: Registry }> {
  loaded ??= import('prom-client').then((client) => {
    const registry = new client.Registry();
    for (const metric of Object.values(metrics)) registry.registerMetric(metric as never);
    return { client, registry };
  });
  return loaded;
}

/** This process's metrics in the Prometheus text format. */
export async function metricsText(): Promise<string> {
  return (await promClient()).registry.metrics();
}

/** Event-loop lag and the usual process figures (memory, CPU, handles), from prom-client. */
export async function collectProcessMetrics(): Promise<void> {
  const { client, registry } = await promClient();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
}

/** A cluster worker: answer the primary's scrape requests with this registry (prom-client's own IPC messages). */
export async function answerClusterScrapes(): Promise<void> {
  const { client, registry } = await promClient();
  client.AggregatorRegistry.setRegistries([registry]);
  new client.AggregatorRegistry();
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
