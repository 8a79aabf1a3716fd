/**
 * Pure bookkeeping of a load run: which message each sender sent and had
 * acked, how often each receiver got it, latency histograms, and the final
 * exactly-once verdict. No sockets, no clocks — callers pass times in — so the
 * accounting itself is unit-tested (test/bench/accounting.test.ts).
 */

/** Content of a bench message: a parseable tag (`step`, `sender`, `n`) padded to a realistic chat length. */
const PADDING = ' lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor';

export type MessageTag = { step: number; sender: number; n: number };

export function encodeContent(tag: MessageTag): string {
  return `bench:${tag.step}:${tag.sender}:${tag.n}${PADDING}`;
}

const TAG = /^bench:(\d+):(\d+):(\d+)(?:\s|$)/;

export function parseContent(content: unknown): MessageTag | null {
  if (typeof content !== 'string') return null;
  const match = TAG.exec(content);
  if (!match) return null;
  return { step: Number(match[1]), sender: Number(match[2]), n: Number(match[3]) };
}

/** Client offsets are unique per run, sender and message: `r<run>-s<sender>-<n>` (protocol: [A-Za-z0-9_-]{1,64}). */
export function clientOffsetOf(runId: string, tag: MessageTag): string {
  return `r${runId}-t${tag.step}-s${tag.sender}-${tag.n}`;
}

/**
 * Latency histogram with logarithmic buckets (≈1% relative precision) so that
 * millions of samples cost a few kilobytes. Values are milliseconds.
 */
export class LatencyHistogram {
  private static readonly GROWTH = Math.log(1.01);
  /** Values below 1 µs share bucket 0. */
  private static readonly FLOOR_MS = 0.001;
  private readonly buckets = new Map<number, number>();
  count = 0;
  max = 0;
  private sum = 0;

  record(ms: number): void {
    const value = Math.max(ms, LatencyHistogram.FLOOR_MS);
    const bucket = Math.floor(Math.log(value / LatencyHistogram.FLOOR_MS) / LatencyHistogram.GROWTH);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.count += 1;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  /** The value at quantile q (0..1): the upper edge of the bucket holding the q-th sample, or null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    const keys = [...this.buckets.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const key of keys) {
      seen += this.buckets.get(key) ?? 0;
      if (seen >= rank) return Math.min(this.max, LatencyHistogram.FLOOR_MS * Math.exp((key + 1) * LatencyHistogram.GROWTH));
    }
    return this.max;
  }
}

/** A growable byte array of per-message counters (saturating at 255). */
class Counters {
  private bytes = new Uint8Array(64);
  length = 0;

  get(index: number): number {
    return index < this.bytes.length ? (this.bytes[index] ?? 0) : 0;
  }

  increment(index: number): number {
    if (index >= this.bytes.length) {
      let size = this.bytes.length;
      while (size <= index) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    const next = Math.min(255, (this.bytes[index] ?? 0) + 1);
    this.bytes[index] = next;
    if (index + 1 > this.length) this.length = index + 1;
    return next;
  }
}

export type Verdict = {
  /** Messages acked ok by the server. */
  acked: number;
  /** Acks that arrived more than once for the same message (a server bug). */
  duplicateAcks: number;
  /** Receiver × acked message pairs expected. */
  expectedDeliveries: number;
  /** Pairs where the receiver never got an acked message. */
  lost: number;
  /** Pairs where the receiver got a message more than once. */
  duplicated: number;
  /** Deliveries of messages that were never acked (sent at the end, ack still in flight): informational. */
  unackedDeliveries: number;
  /** Up to five examples of each problem, for the report. */
  examples: string[];
};

/**
 * The ledger of one measured step: `senders` senders, `receivers` receiving
 * clients. Every acked message must reach every receiver exactly once.
 */
export class Ledger {
  private readonly sentAt: Float64Array[];
  private readonly ackCounts: Counters[];
  /** deliveries[receiver][sender] */
  private readonly deliveries: Counters[][];
  readonly ackLatency = new LatencyHistogram();
  readonly deliveryLatency = new LatencyHistogram();
  /** Acks and deliveries that fell inside the measurement window. */
  windowAcks = 0;
  windowDeliveries = 0;
  totalDeliveries = 0;
  /** First deliveries only (a duplicate does not count twice). */
  uniqueDeliveries = 0;
  uniqueAcks = 0;
  ackErrors = 0;
  foreign = 0;
  private windowStart = Number.NEGATIVE_INFINITY;
  private windowEnd = Number.POSITIVE_INFINITY;

  constructor(
    readonly senders: number,
    readonly receivers: number,
  ) {
    this.sentAt = Array.from({ length: senders }, () => new Float64Array(1024));
    this.ackCounts = Array.from({ length: senders }, () => new Counters());
    this.deliveries = Array.from({ length: receivers }, () => Array.from({ length: senders }, () => new Counters()));
  }

  /** Only messages sent inside [start, end) count towards latency; acks/deliveries inside it count towards rates. */
  setWindow(start: number, end: number): void {
    this.windowStart = start;
    this.windowEnd = end;
  }

  sent(sender: number, n: number, at: number): void {
    let times = this.sentAt[sender];
    if (!times) throw new RangeError(`sender ${sender} out of range`);
    if (n >= times.length) {
      let size = times.length;
      while (size <= n) size *= 2;
      const grown = new Float64Array(size);
      grown.set(times);
      times = grown;
      this.sentAt[sender] = grown;
    }
    times[n] = at;
  }

  private sentTime(sender: number, n: number): number | null {
    const times = this.sentAt[sender];
    if (!times || n >= times.length) return null;
    const at = times[n] ?? 0;
    return at === 0 ? null : at;
  }

  private inWindow(at: number): boolean {
    return at >= this.windowStart && at < this.windowEnd;
  }

  acked(sender: number, n: number, at: number): void {
    const counters = this.ackCounts[sender];
    if (!counters) throw new RangeError(`sender ${sender} out of range`);
    if (counters.increment(n) > 1) return;
    this.uniqueAcks += 1;
    const sentAt = this.sentTime(sender, n);
    if (sentAt !== null && this.inWindow(sentAt)) this.ackLatency.record(at - sentAt);
    if (this.inWindow(at)) this.windowAcks += 1;
  }

  ackFailed(): void {
    this.ackErrors += 1;
  }

  delivered(receiver: number, sender: number, n: number, at: number): void {
    const row = this.deliveries[receiver];
    const counters = row?.[sender];
    if (!counters) {
      this.foreign += 1;
      return;
    }
    this.totalDeliveries += 1;
    if (counters.increment(n) > 1) return;
    this.uniqueDeliveries += 1;
    const sentAt = this.sentTime(sender, n);
    if (sentAt !== null && this.inWindow(sentAt)) this.deliveryLatency.record(at - sentAt);
    if (this.inWindow(at)) this.windowDeliveries += 1;
  }

  /**
   * True once as many distinct deliveries arrived as acked messages × receivers
   * (O(1), polled while draining; `verify()` gives the exact verdict after).
   */
  complete(): boolean {
    return this.uniqueDeliveries >= this.uniqueAcks * this.receivers;
  }

  verify(): Verdict {
    return verifyDeliveries(this.ackCounts, this.deliveries);
  }
}

/** Reads counters as plain numbers, so the verdict can be computed over either Counters or test arrays. */
type CountSource = { length: number; get(index: number): number };

/**
 * The exactly-once verdict: every message acked by `acks[sender]` must appear
 * exactly once in `deliveries[receiver][sender]` for every receiver.
 */
export function verifyDeliveries(acks: CountSource[], deliveries: CountSource[][]): Verdict {
  const verdict: Verdict = {
    acked: 0,
    duplicateAcks: 0,
    expectedDeliveries: 0,
    lost: 0,
    duplicated: 0,
    unackedDeliveries: 0,
    examples: [],
  };
  const note = (text: string) => {
    if (verdict.examples.length < 5) verdict.examples.push(text);
  };
  acks.forEach((ackCounts, sender) => {
    for (let n = 0; n < ackCounts.length; n++) {
      const count = ackCounts.get(n);
      if (count === 0) continue;
      verdict.acked += 1;
      if (count > 1) {
        verdict.duplicateAcks += 1;
        note(`sender ${sender} message ${n} acked ${count} times`);
      }
    }
  });
  deliveries.forEach((row, receiver) => {
    acks.forEach((ackCounts, sender) => {
      const got = row[sender];
      const length = Math.max(ackCounts.length, got?.length ?? 0);
      for (let n = 0; n < length; n++) {
        const received = got ? got.get(n) : 0;
        const wasAcked = ackCounts.get(n) > 0;
        if (wasAcked) {
          verdict.expectedDeliveries += 1;
          if (received === 0) {
            verdict.lost += 1;
            note(`receiver ${receiver} never got sender ${sender} message ${n}`);
          }
        } else if (received > 0) {
          verdict.unackedDeliveries += 1;
        }
        if (received > 1) {
          verdict.duplicated += 1;
          note(`receiver ${receiver} got sender ${sender} message ${n} ${received} times`);
        }
      }
    });
  });
  return verdict;
}

/** Median of the finite numbers given (null when none). */
export function median(values: ReadonlyArray<number | null | undefined>): number | null {
  const finite = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const middle = Math.floor(finite.length / 2);
  if (finite.length % 2 === 1) return finite[middle] ?? null;
  const low = finite[middle - 1];
  const high = finite[middle];
  return low === undefined || high === undefined ? null : (low + high) / 2;
}
