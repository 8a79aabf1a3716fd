/**
 * The load half of the push scenario (#16): other senders send at a steady rate to their own
 * room; after `baselineMs` one message goes to the room of `members` offline subscribed members,
 * and the senders keep sending until the loopback push service has every member's push. Reports
 * the push rate and the senders' ack latency during the fan-out and without it (before it, and
 * as long again after it).
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { treeCpuMs } from '../proc';
import { LatencyHistogram } from './accounting';
import { fileURLToPath } from 'node:url';
import { forkAtIdlePriority, probeIdlePriority } from '../../server/fork-at-idle-priority';
import type { SinkRequest, SinkStart, SinkStats } from './push-sink-process';
import { bucketsBetween, quantileMs, scrapeServerHistograms, type ServerHistograms } from './server-ack-histogram';
import { connectUntilSynced } from './until-synced';
import type { Latency, PushBenchResult, PushLoadJob } from './types';

const ACK_TIMEOUT_MS = 30_000;
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** performance.now() of an epoch time from the push service process (whose own clock starts elsewhere). */
const fromEpoch = (epochMs: number) => epochMs - performance.timeOrigin;

type PushService = { stats(): Promise<SinkStats>; verified(): Promise<SinkStats>; close(): Promise<void> };

/** The push service in a process of its own (see push-sink-process.ts for why not a thread). */
async function startPushService(start: SinkStart): Promise<PushService> {
  await probeIdlePriority();
  const script = fileURLToPath(new URL('./push-sink-process.ts', import.meta.url));
  const child = forkAtIdlePriority(
    script,
    [JSON.stringify(start)],
    { detached: true, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--import', 'tsx'] },
    { anyCore: true },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the push service exited with ${code} before it was ready`)));
  });
  const ask = (request: SinkRequest) =>
    new Promise<SinkStats>((resolve) => {
      child.once('message', (stats: SinkStats) => resolve(stats));
      child.send(request);
    });
  return {
    stats: () => ask('stats'),
    verified: () => ask('verify'),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('close');
      await exited;
    },
  };
}

const latencyOf = (histogram: LatencyHistogram): Latency => ({
  p50: histogram.quantile(0.5),
  p99: histogram.quantile(0.99),
  max: histogram.count ? histogram.max : null,
  samples: histogram.count,
});

async function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, {
    auth: { token, cursors: {} },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
  });
  await connectUntilSynced(socket, 60_000);
  return socket;
}

function send(socket: Socket, room: string, clientOffset: string, content: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emit('message:send', { room, clientOffset, content }, (error: Error | null, answer: { ok: boolean; error?: { code: string } }) => {
        if (error) return reject(error);
        if (!answer.ok) return reject(new Error(`message:send answered ${answer.error?.code}`));
        resolve();
      });
  });
}

export async function runPush(job: PushLoadJob): Promise<PushBenchResult> {
  const sink = await startPushService({ port: job.sinkPort, seed: job.keySeed, members: job.members });
  let counted = await sink.stats();
  const senders = await Promise.all(job.senderTokens.map((token) => connect(job.url, token)));
  const author = await connect(job.url, job.authorToken);
  const without = new LatencyHistogram();
  const during = new LatencyHistogram();
  let phase: 'quiet' | 'pushing' | 'stopped' = 'quiet';
  let ackErrors = 0;
  let sent = 0;
  const runId = Date.now().toString(36);
  const interval = 1000 / job.ratePerSender;
  const started = now();
  const cpuAtStart = treeCpuMs(job.serverPid);
  // The server's own ack histogram at each phase boundary (null: /metrics did not answer, left out).
  const scrape = () => scrapeServerHistograms(job.metricsUrl).catch((): ServerHistograms | null => null);
  const scrapes: {
    start: ServerHistograms | null;
    pushing: ServerHistograms | null;
    pushed: ServerHistograms | null;
    end: ServerHistograms | null;
  } = {
    start: await scrape(),
    pushing: null,
    pushed: null,
    end: null,
  };
  // Open loop: every sender sends on its own clock, staggered, whether or not its acks are back.
  const loops = senders.map(async (socket, index) => {
    await sleep((interval * index) / senders.length);
    for (let n = 0; phase !== 'stopped'; n++) {
      const histogram = phase === 'quiet' ? without : during;
      const at = now();
      sent += 1;
      send(socket, job.talkRoom, `push-bench-${runId}-${index}-${n}`, `load ${index} ${n}`).then(
        () => histogram.record(now() - at),
        () => (ackErrors += 1),
      );
      await sleep(Math.max(0, at + interval - now()));
    }
  });
  let error: string | undefined;
  let ackedAt = 0;
  let baselineCpuPerMs = 0;
  let fanOutCpuMs: number | null = null;
  let coresDuring: number | null = null;
  try {
    await sleep(job.baselineMs);
    baselineCpuPerMs = (treeCpuMs(job.serverPid) - cpuAtStart) / (now() - started);
    const fanOutFrom = now();
    const cpuBefore = treeCpuMs(job.serverPid);
    scrapes.pushing = await scrape();
    phase = 'pushing';
    await send(author, job.pushRoom, `push-bench-${runId}-author`, 'Everyone: the push bench message');
    ackedAt = now();
    const deadline = ackedAt + job.timeoutMs;
    while (counted.accepted < job.members && now() < deadline) {
      await sleep(20);
      counted = await sink.stats();
    }
    const fanOutMs = (counted.lastAt === null ? now() : fromEpoch(counted.lastAt)) - fanOutFrom;
    const fanOutCpu = treeCpuMs(job.serverPid) - cpuBefore;
    coresDuring = fanOutCpu / fanOutMs;
    fanOutCpuMs = fanOutCpu - baselineCpuPerMs * fanOutMs;
    if (counted.accepted < job.members) error = `${counted.accepted} of ${job.members} pushes within ${job.timeoutMs / 1000} s`;
    scrapes.pushed = await scrape();
    // As long again without pushes after the fan-out: "without" spans both sides of it, so a
    // slow drift of the machine's load does not pass for the pushes' doing.
    phase = 'quiet';
    await sleep(job.baselineMs);
    scrapes.end = await scrape();
  } finally {
    phase = 'stopped';
    await Promise.all(loops);
    // The last acks of the phase, and any repeat push, have a moment to arrive.
    await sleep(500);
    for (const socket of [...senders, author]) socket.disconnect();
    counted = await sink.verified();
    await sink.close();
  }
  const elapsedS = (now() - started) / 1000;
  const { start, pushing, pushed, end } = scrapes;
  const p99Without = (of: keyof ServerHistograms) =>
    start && pushing && pushed && end ? quantileMs(bucketsBetween([start[of], pushing[of]], [pushed[of], end[of]]), 0.99) : null;
  const p99With = (of: keyof ServerHistograms) => (pushing && pushed ? quantileMs(bucketsBetween([pushing[of], pushed[of]]), 0.99) : null);
  const lastPushMs = counted.lastAt === null ? null : fromEpoch(counted.lastAt) - ackedAt;
  return {
    kind: 'push',
    members: job.members,
    pushes: counted.accepted,
    pushesPerSec: lastPushMs && lastPushMs > 0 ? counted.accepted / (lastPushMs / 1000) : null,
    firstPushMs: counted.firstAt === null ? null : fromEpoch(counted.firstAt) - ackedAt,
    lastPushMs,
    faults: counted.faultCount,
    faultExamples: counted.faults,
    duplicates: counted.duplicates,
    ackWithout: latencyOf(without),
    ackWith: latencyOf(during),
    serverAckP99Without: p99Without('acks'),
    serverAckP99With: p99With('acks'),
    serverCommitP99Without: p99Without('commits'),
    serverCommitP99With: p99With('commits'),
    ackErrors,
    sendRate: sent / elapsedS,
    serverCoresBefore: baselineCpuPerMs,
    serverCoresDuring: coresDuring,
    serverCpuMsPerPush: fanOutCpuMs === null || counted.accepted === 0 ? null : fanOutCpuMs / counted.accepted,
    ...(error ? { error } : {}),
  };
}
