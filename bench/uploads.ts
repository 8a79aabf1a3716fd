/**
 * Attachments under load (#18): `clients` clients each uploading a distinct ~1 MB JPEG over and
 * over (tus creation + one PATCH + finalize, as the PWA does for a photo) against our server as
 * `npm start` runs it, and the same bodies POSTed to a plain file-copy server (bench/baselines/
 * file-copy) on the same machine; then text ingest (socket.io senders, a window of sends in flight
 * each) without uploads and while they run, in `rounds` pairs (alone, then during): each pair's
 * ratio is taken a minute apart at most, so the machine's drift (its speed moves by 2x over a day
 * here) lands in both halves, and the target reads the median ratio. The uploads run in a process
 * of their own (load/upload-job.ts), the text senders in this one.
 */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SessionCreated } from '../shared/protocol';
import { startBaseline } from './baseline-process';
import { bucketsBetween, quantileMs, scrapeServerHistograms, type AckBuckets } from './load/server-ack-histogram';
import type { UploadJob, UploadJobResult } from './load/upload-job';
import { withServer, type MeasureContext } from './measure';
import { serverViewText } from './report/upload-targets';
import { benchTempDir, metricsEndpoint } from './servers';

export type UploadSide = {
  uploads: number;
  perSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  firstError: string | null;
};
export type UploadBenchResult = {
  clients: number;
  bytes: number;
  durationMs: number;
  ours: UploadSide;
  fileCopy: UploadSide;
  /** Text messages acked per second by the ingest senders, without uploads and while they run (the median round's). */
  ingestAlone: number;
  ingestDuringUploads: number;
  /** The median of the rounds' during / alone (target ≥ 0.8). */
  ingestRatio: number | null;
  /** Uploads completed while the text senders ran (the median round's). */
  uploadsDuringIngest: number;
  /** As the server measured them (its /metrics), alone and during uploads: ack p99 and group-commit p99, ms (the median round's). */
  server?: ServerView;
  rounds?: IngestRound[];
};

export type ServerView = {
  ackP99Alone: number | null;
  ackP99During: number | null;
  commitP99Alone: number | null;
  commitP99During: number | null;
};
export type IngestRound = { alone: number; during: number; ratio: number | null; uploads: number; server: ServerView };

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? null;
}

function side(result: UploadJobResult, durationMs: number): UploadSide {
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return {
    uploads: sorted.length,
    perSec: (sorted.length * 1000) / durationMs,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    errors: result.errors,
    firstError: result.firstError,
  };
}

/** Pause before each round's text ingest alone, after the uploads before it. */
const QUIET_MS = 3_000;

type UploadLoad = {
  /** Resolves when the photos are made and the uploads start. */
  started: Promise<void>;
  result: Promise<UploadJobResult>;
};

/** Runs the upload load in its own process. */
function uploadLoad(job: UploadJob): UploadLoad {
  // Detached: a session, so a scheduling group (Linux autogroup), of its own, as the phones it
  // stands for would be; in the bench's group its CPU came out of the text senders' share.
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load/upload-job.ts', JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('READY\n')) markStarted();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const result = new Promise<UploadJobResult>((resolve, reject) => {
    child.once('exit', (code) => {
      markStarted();
      const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('RESULT '.length)) as UploadJobResult);
      else reject(new Error(`upload load failed (exit ${code}): ${stderr}`));
    });
  });
  return { started, result };
}

async function session(url: string, name: string): Promise<SessionCreated> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`POST /api/session answered ${response.status}`);
  return (await response.json()) as SessionCreated;
}

/** Text senders, each with `window` sends in flight, for `durationMs`: acks per second. */
async function ingest(url: string, tokens: string[], window: number, durationMs: number): Promise<number> {
  const sockets: ChatSocket[] = await Promise.all(
    tokens.map(
      (token) =>
        new Promise<ChatSocket>((resolve, reject) => {
          const socket: ChatSocket = io(url, {
            auth: { token, cursors: {} },
            transports: ['websocket'],
            reconnection: false,
            forceNew: true,
          });
          socket.once('connect', () => resolve(socket));
          socket.once('connect_error', reject);
        }),
    ),
  );
  let acked = 0;
  let sent = 0;
  const deadline = performance.now() + durationMs;
  const run = `r${Date.now().toString(36)}`;
  await Promise.all(
    sockets.map((socket, sender) =>
      Promise.all(
        Array.from({ length: window }, async () => {
          while (performance.now() < deadline) {
            const answer = await socket.emitWithAck('message:send', {
              room: 'general',
              clientOffset: `${run}-${sender}-${sent++}`,
              content: 'hello while uploading',
            });
            if (answer.ok && performance.now() <= deadline) acked++;
          }
        }),
      ),
    ),
  );
  for (const socket of sockets) socket.close();
  return (acked * 1000) / durationMs;
}

/** The round whose ratio is the median (the lower middle of an even count); rounds without a ratio sort last. */
export function medianRound(rounds: IngestRound[]): IngestRound {
  const sorted = [...rounds].sort((a, b) => (a.ratio ?? Number.POSITIVE_INFINITY) - (b.ratio ?? Number.POSITIVE_INFINITY));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function measureUploads(context: MeasureContext): Promise<UploadBenchResult> {
  const { clients, bytes, durationMs, textSenders, window, rounds } = context.settings.uploads;
  const job = { clients, bytes, durationMs };

  const copy = await startBaseline('bench/baselines/file-copy/index.mjs', { UPLOAD_DIR: benchTempDir('bench-file-copy-') });
  let fileCopy: UploadSide;
  try {
    fileCopy = side(await uploadLoad({ ...job, target: 'copy', url: copy.url, tokens: [] }).result, durationMs);
  } finally {
    await copy.stop();
  }

  const dbPath = join(benchTempDir('bench-uploads-'), 'chat.db');
  const metrics = await metricsEndpoint();
  const scrape = () => scrapeServerHistograms(metrics.url);
  return withServer('ours', { dbPath, env: metrics.env }, context, async (server) => {
    const tokens = await Promise.all(
      Array.from({ length: clients }, (_, index) => session(server.url, `uploader ${index}`).then((created) => created.token)),
    );
    const senders = await Promise.all(
      Array.from({ length: textSenders }, (_, index) => session(server.url, `sender ${index}`).then((created) => created.token)),
    );
    const ours = side(await uploadLoad({ ...job, target: 'ours', url: server.url, tokens }).result, durationMs);

    const round = async (): Promise<IngestRound> => {
      // The last finalizes' image work may still be running at idle priority: let it end first;
      // and the uploads' written bytes reach the disk now (`sync`), not during the text ingest
      // alone, whose group commits would wait behind that writeback (the kernel writes dirty
      // pages back up to 30 s later).
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      execFileSync('sync');
      const beforeAlone = await scrape();
      const alone = await ingest(server.url, senders, window, durationMs);
      const afterAlone = await scrape();
      // The uploads run a little longer than the senders, on both sides, so the senders meet them in full flow.
      const lead = Math.min(1000, durationMs / 4);
      const load = uploadLoad({ ...job, durationMs: durationMs + 2 * lead, target: 'ours', url: server.url, tokens });
      await load.started;
      await new Promise((resolve) => setTimeout(resolve, lead));
      const beforeDuring = await scrape();
      const during = await ingest(server.url, senders, window, durationMs);
      const afterDuring = await scrape();
      const uploads = (await load.result).latencies.length;
      const p99 = (earlier: AckBuckets, later: AckBuckets) => quantileMs(bucketsBetween([earlier, later]), 0.99);
      const view: ServerView = {
        ackP99Alone: p99(beforeAlone.acks, afterAlone.acks),
        ackP99During: p99(beforeDuring.acks, afterDuring.acks),
        commitP99Alone: p99(beforeAlone.commits, afterAlone.commits),
        commitP99During: p99(beforeDuring.commits, afterDuring.commits),
      };
      context.log(
        `uploads: round: text ingest ${alone.toFixed(0)} acked/s alone, ${during.toFixed(0)} during (${uploads} uploads meanwhile); ${serverViewText(view)}`,
      );
      return { alone, during, ratio: alone > 0 ? during / alone : null, uploads, server: view };
    };
    const done: IngestRound[] = [];
    for (let n = 0; n < Math.max(1, rounds); n++) done.push(await round());
    const median = medianRound(done);
    return {
      clients,
      bytes,
      durationMs,
      ours,
      fileCopy,
      ingestAlone: median.alone,
      ingestDuringUploads: median.during,
      ingestRatio: median.ratio,
      uploadsDuringIngest: median.uploads,
      server: median.server,
      rounds: done,
    };
  });
}
