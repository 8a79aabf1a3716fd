/**
 * The soak (#17, "no drift"): many clients connected for a long time, a fifth of them
 * sending open loop at a steady rate, the others dropping and reconnecting with their
 * cursors so they catch up, and the server's memory and ack latency read minute by minute.
 * What drifts over the run is what the report judges (bench/report/soak.ts).
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { treeRss } from '../proc';
import { clientOffsetOf, encodeContent, LatencyHistogram, median } from './accounting';
import { adapterFor, OffsetTracker, type BenchClient } from './adapters';
import { connectAll, latencyOf } from './scenarios';
import { SeqSet } from './seq-set';
import { bucketsBetween, quantileMs, scrapeServerHistograms, type AckBuckets } from './server-ack-histogram';
import type { SoakJob, SoakMinute, SoakResult } from './types';

const ACK_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 90_000;
/** Past this many unacked sends the sender skips (and counts) messages instead of queueing without bound. */
const MAX_OUTSTANDING = 5_000;
/** The send loop wakes this often and sends every message that fell due meanwhile. */
const TICK_MS = 5;
/** After the run, how long a client may go without catching up more before the delivery check gives up. */
const DRAIN_IDLE_MS = 10_000;
const DRAIN_MAX_MS = 60_000;

const now = () => performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSoak(job: SoakJob): Promise<SoakResult> {
  const adapter = adapterFor(job.dialect);
  const runId = randomBytes(4).toString('hex');
  const offsets = new OffsetTracker();
  const identities = await adapter.identities(job.url, job.clients);
  const held = identities.map(() => new SeqSet(0));
  /** Deliveries to every client so far: the calibration's second measure. */
  const delivered = { count: 0 };
  const problems = { drops: 0, examples: [] as string[] };
  const note = (text: string) => {
    if (problems.examples.length < 5) problems.examples.push(text);
  };
  /** Set once the clock runs: a client the server drops comes back as a churned one does. */
  let onDrop: (index: number, reason: string) => void = (index, reason) => note(`client ${index} dropped while connecting: ${reason}`);
  const connect = (index: number, cursor: number): BenchClient =>
    adapter.create(
      job.url,
      identities[index] ?? '',
      (_content, seq) => {
        delivered.count += 1;
        if (job.checkDelivery) held[index]?.add(seq);
      },
      offsets,
      { cursor, onDrop: (reason) => onDrop(index, reason) },
    );
  const clients = identities.map((_identity, index) => connect(index, 0));
  let serial = 0;
  const send = async (sender: number): Promise<void> => {
    const client = clients[sender];
    if (!client) throw new Error(`no client for sender ${sender}`);
    const tag = { step: 0, sender, n: serial++ };
    await client.send(clientOffsetOf(runId, tag), encodeContent(tag), ACK_TIMEOUT_MS);
  };
  const pending = new Set<Promise<void>>();
  const track = (promise: Promise<void>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };
  try {
    const connectMs = await connectAll(clients);
    const calibration = job.rate === null ? await calibrate(job, send, delivered) : null;
    const rate = job.rate ?? Math.max(1, Math.round((calibration?.sustainedPerSec ?? 2) / 2));
    if (calibration) await sleep(2_000); // let the calibration's deliveries drain before the clock starts
    process.stderr.write(`soak: ${job.clients} connected in ${connectMs.toFixed(0)} ms; sending ${rate} msg/s\n`);

    const start = now();
    const end = start + job.durationMs;
    const minutes = Math.max(1, Math.ceil(job.durationMs / job.minuteMs));
    const minuteOf = (at: number) => Math.min(minutes - 1, Math.max(0, Math.floor((at - start) / job.minuteMs)));
    const ack = Array.from({ length: minutes }, () => new LatencyHistogram());
    const reconnect = Array.from({ length: minutes }, () => new LatencyHistogram());
    const sent = new Array<number>(minutes).fill(0);
    const acked = new Array<number>(minutes).fill(0);
    const samples: SoakResult['samples'] = [];
    const counts = { ackErrors: 0, skipped: 0, reconnects: 0, reconnectFailures: 0, outstanding: 0 };

    const sample = () => samples.push({ atMs: now() - start, rss: treeRss(job.serverPid) });
    sample();
    const sampler = setInterval(sample, job.sampleMs);
    const perMinute = watchEachMinute(job, minutes);

    const sendLoop = async () => {
      for (let k = 0; now() < end;) {
        for (; start + (k * 1000) / rate <= now() && now() < end; k++) {
          if (counts.outstanding >= MAX_OUTSTANDING) {
            counts.skipped += 1;
            continue;
          }
          const sentAt = now();
          const minute = minuteOf(sentAt);
          sent[minute] = (sent[minute] ?? 0) + 1;
          counts.outstanding += 1;
          send(k % job.senders).then(
            () => {
              counts.outstanding -= 1;
              ack[minute]?.record(now() - sentAt);
              acked[minute] = (acked[minute] ?? 0) + 1;
            },
            () => {
              counts.outstanding -= 1;
              counts.ackErrors += 1;
            },
          );
        }
        await sleep(TICK_MS);
      }
    };

    const churnOne = async (index: number, startedAt: number, dropped = false) => {
      if (!dropped) clients[index]?.close();
      await sleep(job.offlineMs);
      const cursor = job.checkDelivery ? (held[index]?.contiguous ?? 0) : offsets.latest;
      const client = connect(index, cursor);
      clients[index] = client;
      const began = now();
      try {
        await client.connect(CONNECT_TIMEOUT_MS);
        reconnect[minuteOf(startedAt)]?.record(now() - began);
        counts.reconnects += 1;
      } catch (error) {
        counts.reconnectFailures += 1;
        note(`client ${index} reconnect failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    onDrop = (index, reason) => {
      problems.drops += 1;
      note(`client ${index} dropped by the connection (${reason}) at ${((now() - start) / 1000).toFixed(1)} s`);
      if (now() < end) track(churnOne(index, now(), true));
    };
    const churnLoop = async () => {
      const perMinute = Math.round(job.churnPerMinute * job.clients);
      const receivers = job.clients - job.senders;
      if (perMinute === 0 || receivers <= 0) return;
      const every = job.minuteMs / perMinute;
      for (let i = 0; ; i++) {
        const due = start + (i + 0.5) * every;
        if (due >= end) return;
        const wait = due - now();
        if (wait > 0) await sleep(wait);
        track(churnOne(job.senders + (i % receivers), now()));
      }
    };

    await Promise.all([sendLoop(), churnLoop()]);
    clearInterval(sampler);
    sample();
    const watched = await perMinute.stop();
    // The last sends' acks and the last reconnects, then every client's catch-up.
    const settled = now();
    while ((counts.outstanding > 0 || pending.size > 0) && now() - settled < ACK_TIMEOUT_MS + job.offlineMs) await sleep(50);
    const delivery = job.checkDelivery ? await checkDelivery(held, offsets) : null;
    const minutesOut: SoakMinute[] = ack.map((histogram, index) => {
      const inMinute = samples.filter((point) => Math.min(minutes - 1, Math.floor(point.atMs / job.minuteMs)) === index);
      return {
        minute: index + 1,
        rss: median(inMinute.map((point) => point.rss)),
        rssSamples: inMinute.length,
        sent: sent[index] ?? 0,
        acked: acked[index] ?? 0,
        ack: latencyOf(histogram),
        reconnect: latencyOf(reconnect[index] ?? new LatencyHistogram()),
        ...watched[index],
      };
    });
    return {
      kind: 'soak',
      clients: job.clients,
      senders: job.senders,
      connectMs,
      rate,
      calibration,
      minuteMs: job.minuteMs,
      churnPerMinute: job.churnPerMinute,
      offlineMs: job.offlineMs,
      sampleMs: job.sampleMs,
      minutes: minutesOut,
      samples,
      sent: sent.reduce((sum, count) => sum + count, 0),
      acked: acked.reduce((sum, count) => sum + count, 0),
      ackErrors: counts.ackErrors,
      skipped: counts.skipped,
      reconnects: counts.reconnects,
      reconnectFailures: counts.reconnectFailures,
      drops: problems.drops,
      examples: problems.examples,
      delivery,
    };
  } finally {
    for (const client of clients) client.close();
  }
}

type Watched = Pick<SoakMinute, 'serverAck' | 'loadLoopP99'>;

/**
 * Beside the load's own ack times, two readings per minute that tell where a rise comes from:
 * the server's ack histogram (scraped at each minute's end) and this process's event-loop
 * delay. On two cores the load process reads 1,000 sockets on most of one; an ack it reads late
 * is late in its figures whatever the server did.
 */
function watchEachMinute(job: SoakJob, minutes: number): { stop(): Promise<Watched[]> } {
  const watched: Watched[] = Array.from({ length: minutes }, () => ({}));
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const scrape = () =>
    job.metricsUrl
      ? scrapeServerHistograms(job.metricsUrl).then(
          (both) => both.acks,
          () => null,
        )
      : Promise.resolve(null);
  let previous: Promise<AckBuckets | null> = scrape();
  let minute = 0;
  const closing: Array<Promise<void>> = [];
  const close = () => {
    const at = watched[minute++];
    if (!at) return;
    at.loadLoopP99 = loop.count > 0 ? loop.percentile(99) / 1e6 : null;
    loop.reset();
    const earlier = previous;
    const later = (previous = scrape());
    closing.push(
      Promise.all([earlier, later]).then(([before, after]) => {
        if (before && after) {
          const acks = bucketsBetween([before, after]);
          at.serverAck = { p50: quantileMs(acks, 0.5), p99: quantileMs(acks, 0.99) };
        }
      }),
    );
  };
  const timer = setInterval(close, job.minuteMs);
  return {
    async stop() {
      clearInterval(timer);
      // The last (possibly partial) minute ends with the run.
      if (minute < minutes) close();
      loop.disable();
      await Promise.all(closing);
      return watched;
    },
  };
}

/**
 * Senders × 1 in flight, closed loop: a second of warm-up, then `calibrateMs` counted. The
 * server acks a message once stored, whether or not its deliveries keep up (they queue in
 * socket buffers), so what it sustains is the lesser of the acks per second and the
 * deliveries per second over the clients that receive them.
 */
async function calibrate(
  job: SoakJob,
  send: (sender: number) => Promise<void>,
  delivered: { count: number },
): Promise<NonNullable<SoakResult['calibration']>> {
  const from = now() + 1_000;
  const until = from + job.calibrateMs;
  let counted = 0;
  let deliveredFrom = 0;
  let deliveredUntil = 0;
  const marks = Promise.all([
    sleep(from - now()).then(() => (deliveredFrom = delivered.count)),
    sleep(until - now()).then(() => (deliveredUntil = delivered.count)),
  ]);
  const slot = async (sender: number) => {
    while (now() < until) {
      try {
        await send(sender);
        const at = now();
        if (at >= from && at < until) counted += 1;
      } catch {
        // counted as nothing; the soak itself reports errors
      }
    }
  };
  await Promise.all([marks, ...Array.from({ length: job.senders }, (_unused, sender) => slot(sender))]);
  const seconds = job.calibrateMs / 1000;
  const ackedPerSec = counted / seconds;
  const deliveredPerSec = (deliveredUntil - deliveredFrom) / seconds;
  const sustainedPerSec = Math.min(ackedPerSec, deliveredPerSec / job.clients);
  process.stderr.write(
    `soak: calibration acked ${ackedPerSec.toFixed(0)} msg/s, delivered ${deliveredPerSec.toFixed(0)}/s to ${job.clients} clients: sustained ${sustainedPerSec.toFixed(0)} msg/s\n`,
  );
  return { ackedPerSec, deliveredPerSec, sustainedPerSec, ms: job.calibrateMs };
}

/** Waits until every client holds every seq up to the newest one seen, or stops progressing; then counts what is missing. */
async function checkDelivery(held: SeqSet[], offsets: OffsetTracker): Promise<NonNullable<SoakResult['delivery']>> {
  const lastSeq = offsets.latest;
  const behind = () => held.reduce((sum, set) => sum + Math.max(0, lastSeq - set.contiguous), 0);
  const started = now();
  let last = behind();
  let progressAt = now();
  while (last > 0 && now() - started < DRAIN_MAX_MS && now() - progressAt < DRAIN_IDLE_MS) {
    await sleep(100);
    const current = behind();
    if (current < last) progressAt = now();
    last = current;
  }
  return {
    clients: held.length,
    lastSeq,
    missing: held.reduce((sum, set) => sum + set.missingUpTo(lastSeq), 0),
    duplicates: held.reduce((sum, set) => sum + set.duplicates, 0),
  };
}
