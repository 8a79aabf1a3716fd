/**
 * The load half of the push scenario (#16): other senders send at a steady rate to their own
 * room; `rounds` times, after `baselineMs`, one message goes to the room of `members` offline
 * subscribed members, and the next round starts once the loopback push service has every member's
 * push; after the last, `baselineMs` more. Reports the push rate (the median round's) and the
 * senders' ack latency during the fan-outs and without them (the quiet windows between).
 */
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { treeCpuMs } from '../proc';
import { LatencyHistogram } from './accounting';
import { fileURLToPath } from 'node:url';
import { forkAtIdlePriority, probeIdlePriority } from '../../server/fork-at-idle-priority';
import type { SinkRequest, SinkStart, SinkStats } from './push-sink-process';
import { bucketsBetween, quantileMs, scrapeServerHistograms, type AckBuckets, type ServerHistograms } from './server-ack-histogram';
import { connectUntilSynced } from './until-synced';
import type { Latency, PushBenchResult, PushLoadJob, PushRound } from './types';

const ACK_TIMEOUT_MS = 30_000;
const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** performance.now() of an epoch time from the push service process (whose own clock starts elsewhere). */
const fromEpoch = (epochMs: number) => epochMs - performance.timeOrigin;

type PushService = { stats(): Promise<SinkStats>; verified(): Promise<SinkStats>; nextRound(): Promise<SinkStats>; close(): Promise<void> };

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
    nextRound: () => ask('round'),
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

/** Pushes per second of a round, from its message's ack to its last push. */
function roundRate(pushes: number, lastPushMs: number | null): number | null {
  return lastPushMs && lastPushMs > 0 ? pushes / (lastPushMs / 1000) : null;
}

/** The round whose push rate is the median (the lower middle of an even count). */
function medianRound(rounds: PushRound[]): PushRound | undefined {
  const sorted = [...rounds].sort((a, b) => (a.pushesPerSec ?? 0) - (b.pushesPerSec ?? 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function runPush(job: PushLoadJob): Promise<PushBenchResult> {
  const sink = await startPushService({ port: job.sinkPort, seed: job.keySeed, members: job.members });
  let counted = await sink.stats();
  const senders = await Promise.all(job.senderTokens.map((token) => connect(job.url, token)));
  const author = await connect(job.url, job.authorToken);
  const without = new LatencyHistogram();
  const during = new LatencyHistogram();
  let roundAcks = new LatencyHistogram();
  let phase: 'quiet' | 'pushing' | 'stopped' = 'quiet';
  let ackErrors = 0;
  let sent = 0;
  const runId = Date.now().toString(36);
  const interval = 1000 / job.ratePerSender;
  const started = now();
  // The server's own ack histogram at each phase boundary (null: /metrics did not answer, left out).
  const scrape = () => scrapeServerHistograms(job.metricsUrl).catch((): ServerHistograms | null => null);
  // Boundaries in order: quiet from [0] to [1], pushing from [1] to [2], quiet from [2] to [3], ...
  const boundaries: Array<ServerHistograms | null> = [await scrape()];
  // Open loop: every sender sends on its own clock, staggered, whether or not its acks are back.
  const loops = senders.map(async (socket, index) => {
    await sleep((interval * index) / senders.length);
    for (let n = 0; phase !== 'stopped'; n++) {
      const pushing = phase === 'pushing';
      const histogram = pushing ? during : without;
      const round = roundAcks;
      const at = now();
      sent += 1;
      send(socket, job.talkRoom, `push-bench-${runId}-${index}-${n}`, `load ${index} ${n}`).then(
        () => {
          const ms = now() - at;
          histogram.record(ms);
          if (pushing) round.record(ms);
        },
        () => (ackErrors += 1),
      );
      await sleep(Math.max(0, at + interval - now()));
    }
  });
  let error: string | undefined;
  const rounds: PushRound[] = [];
  try {
    // Quiet and pushing alternate, and "without" spans every quiet window, so a slow drift of the
    // machine's load does not pass for the pushes' doing, and each p99 pools a few thousand acks.
    for (let round = 0; round < job.rounds; round++) {
      const quietFrom = now();
      const quietCpu = treeCpuMs(job.serverPid);
      await sleep(job.baselineMs);
      const coresBefore = (treeCpuMs(job.serverPid) - quietCpu) / (now() - quietFrom);
      const fanOutFrom = now();
      const cpuBefore = treeCpuMs(job.serverPid);
      boundaries.push(await scrape());
      roundAcks = new LatencyHistogram();
      phase = 'pushing';
      await send(author, job.pushRoom, `push-bench-${runId}-author-${round}`, `Everyone: push bench message ${round + 1}`);
      const ackedAt = now();
      const deadline = ackedAt + job.timeoutMs;
      counted = await sink.stats();
      while (counted.accepted < job.members && now() < deadline) {
        await sleep(20);
        counted = await sink.stats();
      }
      const fanOutMs = (counted.lastAt === null ? now() : fromEpoch(counted.lastAt)) - fanOutFrom;
      const fanOutCpu = treeCpuMs(job.serverPid) - cpuBefore;
      boundaries.push(await scrape());
      phase = 'quiet';
      const lastPushMs = counted.lastAt === null ? null : fromEpoch(counted.lastAt) - ackedAt;
      rounds.push({
        pushes: counted.accepted,
        pushesPerSec: roundRate(counted.accepted, lastPushMs),
        firstPushMs: counted.firstAt === null ? null : fromEpoch(counted.firstAt) - ackedAt,
        lastPushMs,
        serverCpuMsPerPush: counted.accepted === 0 ? null : (fanOutCpu - coresBefore * fanOutMs) / counted.accepted,
        ackP99: roundAcks.quantile(0.99),
        serverCoresBefore: coresBefore,
        serverCoresDuring: fanOutCpu / fanOutMs,
      });
      if (counted.accepted < job.members) {
        error = `round ${round + 1}: ${counted.accepted} of ${job.members} pushes within ${job.timeoutMs / 1000} s`;
        break;
      }
      await sink.nextRound();
    }
    await sleep(job.baselineMs);
    boundaries.push(await scrape());
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
  // The server's histograms over the quiet windows (boundaries 0→1, 2→3, …) or the pushing ones (1→2, 3→4, …).
  const scraped = boundaries.every((histograms) => histograms !== null) ? (boundaries as ServerHistograms[]) : null;
  const serverP99 = (of: keyof ServerHistograms, pushing: boolean) => {
    const spans: Array<[AckBuckets, AckBuckets]> = [];
    for (let at = pushing ? 1 : 0; scraped && at + 1 < scraped.length; at += 2) spans.push([scraped[at][of], scraped[at + 1][of]]);
    return spans.length > 0 ? quantileMs(bucketsBetween(...spans), 0.99) : null;
  };
  const median = medianRound(rounds);
  return {
    kind: 'push',
    members: job.members,
    pushes: rounds.length > 0 ? Math.min(...rounds.map((round) => round.pushes)) : 0,
    pushesPerSec: median?.pushesPerSec ?? null,
    firstPushMs: median?.firstPushMs ?? null,
    lastPushMs: median?.lastPushMs ?? null,
    rounds,
    faults: counted.faultCount,
    faultExamples: counted.faults,
    duplicates: counted.duplicates,
    ackWithout: latencyOf(without),
    ackWith: latencyOf(during),
    serverAckP99Without: serverP99('acks', false),
    serverAckP99With: serverP99('acks', true),
    serverCommitP99Without: serverP99('commits', false),
    serverCommitP99With: serverP99('commits', true),
    ackErrors,
    sendRate: sent / elapsedS,
    serverCoresBefore: median?.serverCoresBefore ?? 0,
    serverCoresDuring: median?.serverCoresDuring ?? null,
    serverCpuMsPerPush: median?.serverCpuMsPerPush ?? null,
    ...(error ? { error } : {}),
  };
}
