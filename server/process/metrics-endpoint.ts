/**
 * Where /metrics is served: on CHAT_METRICS_PORT (every path of that port), or
 * on the main port for a caller with `Authorization: Bearer CHAT_METRICS_TOKEN`;
 * off (404) without either. In the cluster the primary answers both: it asks
 * every worker for its registry (prom-client's own IPC request) and sums them
 * with its own, so one scrape sees the whole cluster.
 */
import cluster from 'node:cluster';
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Config } from '../config';
import { log } from '../observe/log';
import { collectProcessMetrics, METRICS_CONTENT_TYPE, metrics, promClient } from '../observe/metrics';
import type { ConnectionTally } from './connection-tally';

type MetricsJson = Array<MetricObjectWithValues<MetricValue<string>>>;

const REQUEST = 'prom-client:getMetricsReq';
const RESPONSE = 'prom-client:getMetricsRes';
/** A worker that does not answer within this is left out of the scrape rather than failing it. */
const WORKER_WAIT_MS = 2000;

/** Whether `Authorization: Bearer <token>` in a request head carries the metrics token. */
export function bearerMatches(head: string, token: string): boolean {
  const given = /\r\nauthorization:[ \t]*bearer[ \t]+(\S+)[ \t]*\r\n/i.exec(head)?.[1];
  if (!given) return false;
  const [a, b] = [Buffer.from(given), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}

let nextRequest = 0;
const waiting = new Map<number, { responses: MetricsJson[]; pending: number; done(): void }>();

/** The cluster's metrics: every worker's registry and the primary's own, summed. */
async function clusterMetrics(tally: ConnectionTally): Promise<string> {
  metrics.connectionsOpen.set(tally.total());
  const { client, registry } = await promClient();
  const responses: MetricsJson[] = [await registry.getMetricsAsJSON()];
  const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker?.isConnected());
  if (workers.length > 0) {
    const requestId = nextRequest++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => finish(), WORKER_WAIT_MS);
      const finish = () => {
        clearTimeout(timer);
        waiting.delete(requestId);
        resolve();
      };
      waiting.set(requestId, { responses, pending: workers.length, done: finish });
      for (const worker of workers) worker?.send({ type: REQUEST, requestId }, undefined, () => undefined);
    });
  }
  return client.AggregatorRegistry.aggregate(responses).metrics();
}

function listenForWorkerAnswers(): void {
  cluster.on('message', (_worker, message: { type?: unknown; requestId?: unknown; metrics?: unknown }) => {
    if (message?.type !== RESPONSE || typeof message.requestId !== 'number') return;
    const request = waiting.get(message.requestId);
    if (!request) return;
    if (Array.isArray(message.metrics)) request.responses.push(...(message.metrics as MetricsJson[]));
    if (--request.pending === 0) request.done();
  });
}

export type ClusterMetrics = {
  /** The router calls this for `GET /metrics` on the main port; true when it answered. */
  answerOnMainPort(requestLine: string, head: string, socket: Socket): boolean;
  close(): void;
};

/** Primary: serves the cluster's metrics as configured; undefined when /metrics is off. */
export function serveClusterMetrics(
  config: Pick<Config, 'metricsPort' | 'metricsToken' | 'host'>,
  tally: ConnectionTally,
): ClusterMetrics | undefined {
  if (config.metricsPort === undefined && !config.metricsToken) return undefined;
  collectProcessMetrics().catch((error: unknown) => log.error({ err: error }, 'metrics: cannot collect the process figures'));
  listenForWorkerAnswers();
  const text = () => clusterMetrics(tally);
  const server = config.metricsPort === undefined ? undefined : serveOnOwnPort(config.metricsPort, config.host, text);
  const token = config.metricsToken;
  return {
    answerOnMainPort(requestLine, head, socket) {
      if (!token || !/^GET \/metrics(\?\S*)? HTTP/.test(requestLine)) return false;
      const reply = (status: string, type: string, body: string) =>
        socket.end(
          `HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
        );
      if (!bearerMatches(head, token)) {
        reply(
          '401 Unauthorized',
          'application/json',
          JSON.stringify({ error: { code: 'unauthorized', message: 'a bearer token is required' } }),
        );
        return true;
      }
      text().then(
        (body) => reply('200 OK', METRICS_CONTENT_TYPE, body),
        (error: unknown) => {
          log.error({ err: error }, 'metrics: scrape failed');
          socket.destroy();
        },
      );
      return true;
    },
    close: () => server?.close(),
  };
}

/** An http server that answers every request with the metrics (a scraper's private port). */
export function serveOnOwnPort(port: number, host: string | undefined, text: () => Promise<string>): Server {
  const server = createServer((_req, res) => {
    text().then(
      (body) => res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' }).end(body),
      (error: unknown) => {
        log.error({ err: error }, 'metrics: scrape failed');
        res.writeHead(500).end();
      },
    );
  });
  server.on('error', (error) => log.error({ err: error }, `metrics: cannot listen on port ${port}`));
  server.listen(port, host, () => log.info(`metrics on http://localhost:${port}/metrics`));
  return server;
}
