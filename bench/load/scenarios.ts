/**
 * The load scenarios, each a bounded async function of its job: closed-loop
 * throughput, the idle-connection ladder (latency and memory against clients),
 * the idle server's memory per process, seeding over the wire, and catch-up of
 * a client that missed messages.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { processMemory, treeRss } from '../proc';
import { Ledger, LatencyHistogram, clientOffsetOf, encodeContent, parseContent, type Verdict } from './accounting';
import { adapterFor, forEachLimited, OffsetTracker, type BenchClient } from './adapters';
import { INGEST_SHAPES, phaseClock, type IngestShape, type PhaseClock } from './ingest-shapes';
import { bytesBetween, totalBytes, WireCounter } from './wire';
import type {
  CatchupJob,
  CatchupResult,
  IdleJob,
  IdleResult,
  Integrity,
  LadderJob,
  LadderResult,
  LadderStep,
  Latency,
  SeedJob,
  SeedResult,
  ShapeRates,
  ThroughputJob,
  ThroughputResult,
} from './types';

const CONNECT_TIMEOUT_MS = 90_000;
/** Budget for connecting one growth step's new clients; past it the series stops there. */
const STEP_CONNECT_BUDGET_MS = 150_000;
const ACK_TIMEOUT_MS = 30_000;
const CONNECT_CONCURRENCY = 50;
/** Hard bound on messages per closed-loop slot, on top of the time bound. */
const MAX_MESSAGES_PER_SLOT = 5_000_000;

const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function latencyOf(histogram: LatencyHistogram): Latency {
  return {
    p50: histogram.quantile(0.5),
    p99: histogram.quantile(0.99),
    max: histogram.count ? histogram.max : null,
    samples: histogram.count,
  };
}

function integrityOf(verdict: Verdict, ledger: Ledger): Integrity {
  return {
    acked: verdict.acked,
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    duplicateAcks: verdict.duplicateAcks,
    ackErrors: ledger.ackErrors,
    unackedDeliveries: verdict.unackedDeliveries,
    examples: verdict.examples,
  };
}

/** Waits until every receiver holds every acked message, or nothing arrived for `idleMs`, or `maxMs` passed. */
async function drain(ledger: Ledger, idleMs = 5_000, maxMs = 60_000): Promise<boolean> {
  const started = now();
  let lastCount = ledger.totalDeliveries;
  let lastProgress = now();
  while (!ledger.complete()) {
    if (now() - started > maxMs) return true;
    if (ledger.totalDeliveries !== lastCount) {
      lastCount = ledger.totalDeliveries;
      lastProgress = now();
    } else if (now() - lastProgress > idleMs) {
      return true;
    }
    await sleep(50);
  }
  // Give duplicates a moment to show up before the verdict.
  await sleep(200);
  return false;
}

/** Connects `clients` with bounded concurrency; returns elapsed ms. */
export async function connectAll(clients: BenchClient[], from = 0): Promise<number> {
  const started = now();
  await forEachLimited(clients.length - from, CONNECT_CONCURRENCY, async (index) => {
    const client = clients[from + index];
    if (client) await client.connect(CONNECT_TIMEOUT_MS);
  });
  return now() - started;
}

/** What each shape of an alternating run got acked, by the time of the ack. */
class ShapeTally {
  private readonly tallies = new Map(
    INGEST_SHAPES.map((shape) => [shape, { acks: 0, changes: 0, receipts: 0, ack: new LatencyHistogram() }]),
  );

  constructor(private readonly clock: PhaseClock) {}

  private at(at: number) {
    const shape = this.clock.countedAt(at);
    return shape === null ? undefined : this.tallies.get(shape);
  }

  acked(sentAt: number, at: number): void {
    const tally = this.at(at);
    if (!tally) return;
    tally.acks += 1;
    // Latency of sends made inside the window only, as the ledger's.
    if (this.clock.countedAt(sentAt) !== null) tally.ack.record(at - sentAt);
  }

  changed(at: number): void {
    const tally = this.at(at);
    if (tally) tally.changes += 1;
  }

  receipt(at: number): void {
    const tally = this.at(at);
    if (tally) tally.receipts += 1;
  }

  rates(): Record<IngestShape, ShapeRates> {
    const entries = INGEST_SHAPES.map((shape): [IngestShape, ShapeRates] => {
      const tally = this.tallies.get(shape);
      const ms = this.clock.msOf(shape);
      const perSec = (count: number) => (ms > 0 ? count / (ms / 1000) : 0);
      return [
        shape,
        {
          ms,
          opsPerSec: perSec((tally?.acks ?? 0) + (tally?.changes ?? 0)),
          ackedPerSec: perSec(tally?.acks ?? 0),
          ackP99: tally?.ack.quantile(0.99) ?? null,
          receipts: tally?.receipts ?? 0,
        },
      ];
    });
    return Object.fromEntries(entries) as Record<IngestShape, ShapeRates>;
  }
}

export async function runThroughput(job: ThroughputJob): Promise<ThroughputResult> {
  if (job.alternate && !job.mix) throw new Error('an alternating run needs the mix its mixed phases send');
  const adapter = adapterFor(job.dialect);
  const runId = randomBytes(4).toString('hex');
  const offsets = new OffsetTracker();
  const ledger = new Ledger(job.senders, job.clients);
  const identities = await adapter.identities(job.url, job.clients);
  const wires = identities.map(() => new WireCounter());
  /** Deliveries to the clients that never send: their bytes read are deliveries alone. */
  let receiverDeliveries = 0;
  const urls = job.urls && job.urls.length > 0 ? job.urls : [job.url];
  /** Set once the window is known (alternating runs only): which shape is in force. */
  let shapes: ShapeTally | null = null;
  let clock: PhaseClock | null = null;
  const ticks = job.alternate ? () => clock?.shapeAt(now()) === 'ticks' : undefined;
  const clients = identities.map((identity, receiver) =>
    adapter.create(
      urls[receiver % urls.length] ?? job.url,
      identity,
      (content) => {
        const tag = parseContent(content);
        if (!tag || tag.step !== 0) return;
        ledger.delivered(receiver, tag.sender, tag.n, now());
        if (receiver >= job.senders) receiverDeliveries += 1;
      },
      offsets,
      { ticks, wire: wires[receiver], onReceipt: () => shapes?.receipt(now()) },
    ),
  );
  try {
    const connectMs = await connectAll(clients);
    // Handshakes and catch-up are behind us: what follows on the wire is the load.
    const wireBefore = totalBytes(wires);
    const receiversBefore = totalBytes(wires.slice(job.senders));
    const windowStart = now() + job.warmupMs;
    const end = windowStart + job.durationMs;
    ledger.setWindow(windowStart, end);
    if (job.alternate) {
      clock = phaseClock(windowStart, job.durationMs, job.alternate.phaseMs);
      shapes = new ShapeTally(clock);
    }
    const next = new Array<number>(job.senders).fill(0);
    const changes = { acked: 0, errors: 0, serial: 0 };
    /** Each sender's latest acked message: what its edits and reactions land on. */
    const latest = new Array<number | undefined>(job.senders);
    const send = async (sender: number, client: BenchClient) => {
      const n = next[sender] ?? 0;
      next[sender] = n + 1;
      const tag = { step: 0, sender, n };
      const sentAt = now();
      ledger.sent(sender, n, sentAt);
      try {
        latest[sender] = (await client.send(clientOffsetOf(runId, tag), encodeContent(tag), ACK_TIMEOUT_MS)) ?? latest[sender];
        const at = now();
        ledger.acked(sender, n, at);
        shapes?.acked(sentAt, at);
      } catch {
        ledger.ackFailed();
      }
    };
    const change = async (client: BenchClient, target: number, edit: boolean) => {
      const serial = ++changes.serial;
      try {
        await client.change?.(
          `${runId}-c${serial}`,
          edit ? { kind: 'edit', target, content: `edited ${serial}` } : { kind: 'react', target, emoji: '👍', on: serial % 2 === 0 },
          ACK_TIMEOUT_MS,
        );
        const at = now();
        if (at >= windowStart && at <= end) changes.acked += 1;
        shapes?.changed(at);
      } catch {
        changes.errors += 1;
      }
    };
    // A fixed pattern of ten operations, so every run and every slot does the same mix.
    const pattern = job.mix ? mixPattern(job.mix) : null;
    const mixing = () => (clock ? clock.shapeAt(now()) === 'mixed' : pattern !== null);
    const slot = async (sender: number, client: BenchClient) => {
      for (let i = 0; i < MAX_MESSAGES_PER_SLOT && now() < end; i++) {
        const op = mixing() ? (pattern?.[i % pattern.length] ?? 'send') : 'send';
        const target = latest[sender];
        if (op === 'send' || target === undefined) await send(sender, client);
        else await change(client, target, op === 'edit');
      }
    };
    const loops: Promise<void>[] = [];
    for (let sender = 0; sender < job.senders; sender++) {
      const client = clients[sender];
      if (!client) throw new Error(`no client for sender ${sender}`);
      for (let w = 0; w < job.window; w++) loops.push(slot(sender, client));
    }
    await Promise.all(loops);
    const drainTimedOut = await drain(ledger);
    const verdict = ledger.verify();
    const seconds = job.durationMs / 1000;
    const all = bytesBetween(wireBefore, totalBytes(wires));
    const receivers = bytesBetween(receiversBefore, totalBytes(wires.slice(job.senders)));
    return {
      kind: 'throughput',
      wire: {
        read: all.read,
        written: all.written,
        deliveries: ledger.totalDeliveries,
        sends: next.reduce((sum, count) => sum + count, 0),
        receiversRead: receivers.read,
        receiverDeliveries,
      },
      ...(job.mix
        ? { opsPerSec: (ledger.windowAcks + changes.acked) / seconds, changes: { acked: changes.acked, errors: changes.errors } }
        : {}),
      ...(shapes ? { shapes: shapes.rates() } : {}),
      ackedPerSec: ledger.windowAcks / seconds,
      deliveriesPerSec: ledger.windowDeliveries / seconds,
      ack: latencyOf(ledger.ackLatency),
      delivery: latencyOf(ledger.deliveryLatency),
      integrity: integrityOf(verdict, ledger),
      connectMs,
      drainTimedOut,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

/** Ten operations with the mix's shares of edits and reactions spread among the sends. */
export function mixPattern(mix: { reactions: number; edits: number }): Array<'send' | 'react' | 'edit'> {
  const reactions = Math.round(mix.reactions * 10);
  const edits = Math.round(mix.edits * 10);
  const pattern = new Array<'send' | 'react' | 'edit'>(10).fill('send');
  // Changes go after sends, so a slot always has a message of its own to change.
  for (let i = 0; i < reactions; i++) pattern[1 + ((i * 3) % 9)] = 'react';
  for (let i = 0; i < edits; i++) pattern[9 - i * 4] = 'edit';
  return pattern;
}

export async function runLadder(job: LadderJob): Promise<LadderResult> {
  const adapter = adapterFor(job.dialect);
  const runId = randomBytes(4).toString('hex');
  const offsets = new OffsetTracker();
  const clients: BenchClient[] = [];
  let ledger = new Ledger(1, 0);
  let currentStep = -1;
  await sleep(job.settleMs);
  const result: LadderResult = { kind: 'ladder', baselineRss: treeRss(job.serverPid), steps: [] };
  try {
    for (let stepIndex = 0; stepIndex < job.steps.length; stepIndex++) {
      const target = job.steps[stepIndex] ?? 0;
      const from = clients.length;
      const identities = await adapter.identities(job.url, Math.max(0, target - from));
      for (const identity of identities) {
        const receiver = clients.length;
        clients.push(
          adapter.create(
            job.url,
            identity,
            (content) => {
              const tag = parseContent(content);
              if (tag && tag.step === currentStep) ledger.delivered(receiver, tag.sender, tag.n, now());
            },
            offsets,
          ),
        );
      }
      let connectMs: number;
      try {
        let timer: NodeJS.Timeout | undefined;
        const budget = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(
            () => reject(new Error(`not all connected within ${STEP_CONNECT_BUDGET_MS / 1000} s`)),
            STEP_CONNECT_BUDGET_MS,
          );
        });
        connectMs = await Promise.race([connectAll(clients, from), budget]).finally(() => clearTimeout(timer));
      } catch (error) {
        result.error = `connecting ${target} clients failed: ${String(error)}`;
        break;
      }
      await sleep(job.settleMs);
      const serverRss = treeRss(job.serverPid);

      ledger = new Ledger(1, clients.length);
      currentStep = stepIndex + 1;
      const sender = clients[0];
      if (!sender) break;
      const count = Math.max(1, Math.round((job.probeRate * job.probeMs) / 1000));
      const interval = 1000 / job.probeRate;
      const started = now();
      ledger.setWindow(started, Number.POSITIVE_INFINITY);
      for (let n = 0; n < count; n++) {
        const due = started + n * interval;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
        const tag = { step: currentStep, sender: 0, n };
        ledger.sent(0, n, now());
        try {
          await sender.send(clientOffsetOf(runId, tag), encodeContent(tag), ACK_TIMEOUT_MS);
          ledger.acked(0, n, now());
        } catch {
          ledger.ackFailed();
        }
      }
      const drainTimedOut = await drain(ledger);
      const verdict = ledger.verify();
      const step: LadderStep = {
        clients: clients.length,
        connectMs,
        serverRss,
        ack: latencyOf(ledger.ackLatency),
        delivery: latencyOf(ledger.deliveryLatency),
        integrity: integrityOf(verdict, ledger),
        drainTimedOut,
      };
      result.steps.push(step);
      process.stderr.write(
        `ladder: ${clients.length} clients, connect ${connectMs.toFixed(0)} ms, rss ${(serverRss / 2 ** 20).toFixed(0)} MiB\n`,
      );
    }
    return result;
  } finally {
    for (const client of clients) client.close();
  }
}

/** Connects `clients` clients, waits until each finished its catch-up, lets the server settle, and reads its memory per process (then, and again once idle). */
export async function runIdle(job: IdleJob): Promise<IdleResult> {
  const adapter = adapterFor(job.dialect);
  const offsets = new OffsetTracker();
  const identities = await adapter.identities(job.url, job.clients);
  const clients = identities.map((identity) => adapter.create(job.url, identity, () => undefined, offsets));
  try {
    const connectMs = await connectAll(clients);
    await sleep(job.settleMs);
    const processesAtSettle = processMemory(job.serverPid);
    await sleep(job.idleMs);
    return {
      kind: 'idle',
      clients: clients.length,
      connectMs,
      processesAtSettle,
      processes: processMemory(job.serverPid),
      idleMs: job.idleMs,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

/** Stores `messages` messages through the server's own protocol (4 senders, 32 in flight each). */
export async function runSeed(job: SeedJob): Promise<SeedResult> {
  const adapter = adapterFor(job.dialect);
  const runId = randomBytes(4).toString('hex');
  const offsets = new OffsetTracker();
  const senders = 4;
  const window = 32;
  const identities = await adapter.identities(job.url, senders);
  const clients = identities.map((identity) => adapter.create(job.url, identity, () => undefined, offsets));
  const started = now();
  let issued = 0;
  let seeded = 0;
  try {
    await connectAll(clients);
    const slot = async (sender: number, client: BenchClient) => {
      for (let attempts = 0; attempts < job.messages * 2 && issued < job.messages; attempts++) {
        const tag = { step: 9, sender, n: issued };
        issued += 1;
        try {
          await client.send(clientOffsetOf(runId, tag), encodeContent(tag), ACK_TIMEOUT_MS);
          seeded += 1;
        } catch {
          issued -= 1; // retry with a fresh offset; bounded by `attempts`
        }
      }
    };
    await Promise.all(clients.flatMap((client, sender) => Array.from({ length: window }, () => slot(sender, client))));
    await sleep(500);
    return { kind: 'seed', seeded, total: offsets.latest, ms: now() - started };
  } finally {
    for (const client of clients) client.close();
  }
}

/**
 * Connects a client that missed `missed` messages and times it until it holds them all.
 * Each job runs in a fresh load process, so the same catch-up runs untimed first, once per
 * server process (`warmups`): it warms this process's decoding path and every server process
 * the connections are dealt to, so what is timed is the server's catch-up rather than JIT
 * compilation (a 1,000-message warm-up left 10,000-message runs 10-20 ms slower than a warm
 * client). Every server gets the same warm-up: with a single one, ours warmed one of its two
 * workers and the timed catch-up was often dealt to the other, which had not yet done one of its size.
 */
export async function runCatchup(job: CatchupJob): Promise<CatchupResult> {
  for (let warmup = 0; warmup < job.warmups; warmup++) await timeCatchup(job);
  return timeCatchup(job);
}

async function timeCatchup(job: CatchupJob): Promise<CatchupResult> {
  const adapter = adapterFor(job.dialect);
  const offsets = new OffsetTracker();
  const [identity = ''] = await adapter.identities(job.url, 1);
  const cursor = job.total - job.missed;
  const seen = new Uint8Array(job.missed + 1);
  let received = 0;
  let duplicates = 0;
  let lastAt = 0;
  let allReceived: () => void = () => undefined;
  const gotAll = new Promise<void>((resolve) => (allReceived = resolve));
  const wire = new WireCounter();
  const client = adapter.create(
    job.url,
    identity,
    (_content, offset) => {
      const index = offset - cursor;
      if (index < 1 || index > job.missed) return;
      if (seen[index]) {
        duplicates += 1;
        return;
      }
      seen[index] = 1;
      received += 1;
      lastAt = now();
      if (received === job.missed) allReceived();
    },
    offsets,
    { cursor, wire },
  );
  const started = now();
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), job.timeoutMs)));
    const finished = Promise.all([client.connect(job.timeoutMs), gotAll]).then(() => 'done' as const);
    const outcome = await Promise.race([finished, timeout]);
    clearTimeout(timer);
    const doneAt = Math.max(lastAt, now());
    if (outcome === 'timeout')
      return { kind: 'catchup', missed: job.missed, received, duplicates, ms: null, error: `timed out after ${job.timeoutMs} ms` };
    // Read now: the 200 ms pause below could add pings or presence to the count.
    const bytesRead = wire.bytes().read;
    await sleep(200);
    return { kind: 'catchup', missed: job.missed, received, duplicates, ms: doneAt - started, bytesRead };
  } catch (error) {
    return { kind: 'catchup', missed: job.missed, received, duplicates, ms: null, error: String(error) };
  } finally {
    client.close();
  }
}
