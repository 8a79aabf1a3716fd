/** What the orchestrator (bench/run.ts) asks the load generator process for, and what it answers. */
import type { ProcessMemory } from '../proc';
import type { IngestShape } from './ingest-shapes';

/** Which wire dialect a server speaks: our protocol (ours and the null server) or the tutorial's 'chat message'. */
export type Dialect = 'ours' | 'tutorial';

export type ThroughputJob = {
  kind: 'throughput';
  url: string;
  /**
   * Several instances of one deployment (scale-out): client i connects to urls[i % length],
   * so senders and receivers are split evenly and messages cross instances. Absent: `url` alone.
   */
  urls?: string[];
  dialect: Dialect;
  clients: number;
  senders: number;
  window: number;
  durationMs: number;
  warmupMs: number;
  /**
   * Our protocol only: the share of operations that are reactions and edits (the rest are
   * sends), each on the sender's own latest acked message. Absent: sends only.
   */
  mix?: { reactions: number; edits: number };
  /**
   * Our protocol only, with a `mix`: phases of `phaseMs` (from one turn before the window to its end) in
   * which sends only, the mix, and sends with every client acknowledging what reached it with
   * `room:delivered`, as the PWA does, take turns (ingest-shapes.ts), each reported apart.
   */
  alternate?: { phaseMs: number };
};

export type LadderJob = {
  kind: 'ladder';
  url: string;
  dialect: Dialect;
  /** Pid of the server's root process: RSS is summed over it and its descendants. */
  serverPid: number;
  /** Cumulative client counts, e.g. [10, 1000, 2000, 5000]. */
  steps: number[];
  /** Probe traffic at each step: one sender, this many messages per second, for probeMs. */
  probeRate: number;
  probeMs: number;
  /** Pause after connecting each step before RSS is read. */
  settleMs: number;
};

export type SeedJob = {
  kind: 'seed';
  url: string;
  dialect: Dialect;
  messages: number;
};

export type CatchupJob = {
  kind: 'catchup';
  url: string;
  dialect: Dialect;
  /** Offset of the newest stored message (ids/seqs run 1..total). */
  total: number;
  /** How many messages the client missed. */
  missed: number;
  /**
   * Untimed catch-ups before the timed one: one per server process that takes connections, as a
   * process's connections are dealt round robin (node:cluster's primary or our sticky router).
   */
  warmups: number;
  timeoutMs: number;
};

export type IdleJob = {
  kind: 'idle';
  url: string;
  dialect: Dialect;
  /** Pid of the server's root process: memory is read for it and each descendant. */
  serverPid: number;
  /** Clients to connect; each has finished its catch-up (ours: sync:done) before memory is read. */
  clients: number;
  /** Pause after the last client synced before memory is first read (`processesAtSettle`). */
  settleMs: number;
  /** Wait after that, without traffic, before memory is read again (`processes`). */
  idleMs: number;
};

/**
 * #16's push target: a loopback push service on `sinkPort` (subscriber keys derived from
 * `keySeed`, as the seeding did), paced sends from `senderTokens` to `talkRoom`, and `rounds`
 * times a quiet window and then a message from `authorToken` to `pushRoom`, whose `members`
 * offline subscribed members each get a push.
 */
export type PushLoadJob = {
  kind: 'push';
  url: string;
  /** Root of the server's processes: their CPU time is read before and during the fan-out. */
  serverPid: number;
  sinkPort: number;
  /** The server's /metrics (CHAT_METRICS_PORT), scraped at each phase boundary for its own ack histogram. */
  metricsUrl: string;
  keySeed: string;
  members: number;
  pushRoom: string;
  talkRoom: string;
  authorToken: string;
  senderTokens: string[];
  /** Messages per second each sender sends, open loop. */
  ratePerSender: number;
  /** How long the senders send before each push message, and again after the last round's pushes (the ack latency without pushes). */
  baselineMs: number;
  /** Push messages, one at a time: quiet, pushes, quiet, pushes, ..., quiet. */
  rounds: number;
  /** Give up waiting for a round's pushes after this long. */
  timeoutMs: number;
};

/**
 * #17's soak: `clients` connected, `senders` of them sending open loop at `rate` msg/s in
 * all (null: calibrate first, closed loop, and send at half what was acked), the others
 * dropping and reconnecting with their cursors, `churnPerMinute` of all clients a minute.
 */
export type SoakJob = {
  kind: 'soak';
  url: string;
  dialect: Dialect;
  /** Root of the server's processes: RSS is summed over it and its descendants. */
  serverPid: number;
  clients: number;
  senders: number;
  durationMs: number;
  /** Length of one reported period ("minute"); 60,000 but for tests. */
  minuteMs: number;
  /** Messages per second from all senders together; null: calibrate. */
  rate: number | null;
  /** Closed-loop calibration (senders × 1 in flight) after a second of warm-up, when `rate` is null: half of what it sustained is sent. */
  calibrateMs: number;
  /** Share of all clients that drop and reconnect each minute (0.05: 5%). */
  churnPerMinute: number;
  /** How long a dropped client stays away before it reconnects with its cursor. */
  offlineMs: number;
  /** RSS is read this often. */
  sampleMs: number;
  /** Check that every client ends holding every seq after its first cursor (our server: seqs are per room, without gaps). */
  checkDelivery: boolean;
  /** The server's Prometheus endpoint (ours), scraped every minute for its own ack latency; null where there is none. */
  metricsUrl?: string | null;
};

export type LoadJob = ThroughputJob | LadderJob | SeedJob | CatchupJob | IdleJob | PushLoadJob | SoakJob;

export type Latency = { p50: number | null; p99: number | null; max: number | null; samples: number };

export type Integrity = {
  acked: number;
  lost: number;
  duplicated: number;
  duplicateAcks: number;
  ackErrors: number;
  unackedDeliveries: number;
  examples: string[];
};

export type ThroughputResult = {
  kind: 'throughput';
  ackedPerSec: number;
  deliveriesPerSec: number;
  ack: Latency;
  delivery: Latency;
  integrity: Integrity;
  /** Time for all clients to connect (and finish catch-up). */
  connectMs: number;
  /** Sends plus acked changes per second in the window (only with a `mix`). */
  opsPerSec?: number;
  /** Changes acked in the window, and those refused or timed out (only with a `mix`). */
  changes?: { acked: number; errors: number };
  /** With `alternate`: each shape's rates over the phases it was in force. */
  shapes?: Record<IngestShape, ShapeRates>;
  /** True if deliveries were still missing when the drain timed out. */
  drainTimedOut: boolean;
  /** Bytes at the clients' TCP sockets from the last connect to the end of the drain (absent in older results). */
  wire?: WireUse;
  /** CPU (user + system) of the load generator process over its whole life, ms (absent in older results). */
  loadCpuMs?: number;
};

/** One ingest shape's share of an alternating run: what was acked while it was in force. */
export type ShapeRates = {
  /** Time the shape was in force inside the window. */
  ms: number;
  /** Sends and changes acked per second. */
  opsPerSec: number;
  /** Sends acked per second. */
  ackedPerSec: number;
  ackP99: number | null;
  /** `room:delivered` receipts the clients sent (sends with receipts only, if the phases work). */
  receipts: number;
};

/**
 * What the load cost on the wire, counted at each client's TCP socket (WebSocket frames
 * with their headers): all clients, and the clients that only receive.
 */
export type WireUse = {
  /** Read and written by every client. */
  read: number;
  written: number;
  /** Deliveries of load messages to every client (duplicates included), and sends issued. */
  deliveries: number;
  sends: number;
  /** Read by the clients that never send: deliveries alone, no acks. */
  receiversRead: number;
  receiverDeliveries: number;
};

export type LadderStep = {
  clients: number;
  connectMs: number;
  /** Sum of RSS over the server's processes, bytes, measured idle before the probe. */
  serverRss: number;
  ack: Latency;
  delivery: Latency;
  integrity: Integrity;
  /** True if deliveries of the probe were still missing when the drain timed out. */
  drainTimedOut: boolean;
};

export type LadderResult = {
  kind: 'ladder';
  /** RSS of the server with no client connected (after startup), bytes. */
  baselineRss: number;
  steps: LadderStep[];
  /** Set when a step could not complete (connect or probe timeout); later steps are skipped. */
  error?: string;
};

export type SeedResult = { kind: 'seed'; seeded: number; total: number; ms: number };

export type CatchupResult = {
  kind: 'catchup';
  missed: number;
  received: number;
  duplicates: number;
  ms: number | null;
  /** Bytes the catching-up client read at its TCP socket, handshake included, until it held every missed message. */
  bytesRead?: number;
  error?: string;
};

export type IdleResult = {
  kind: 'idle';
  clients: number;
  /** Time for all clients to connect and finish their catch-up. */
  connectMs: number;
  /**
   * The server's processes, root first, once idle: `idleMs` after `processesAtSettle`, without
   * traffic. V8 hands back the garbage of start-up and of the first connections only after some
   * seconds without work (its memory reducer, about 8 s after the last collection), so a read
   * right after the clients synced holds that transient; this one is what an idle server keeps.
   * (Before 2026-12-01 reports read memory at `settleMs` only.)
   */
  processes: ProcessMemory[];
  /** The same, `settleMs` after the last client synced (absent in older results). */
  processesAtSettle?: ProcessMemory[];
  idleMs?: number;
};

/** One push message's fan-out. */
export type PushRound = {
  /** Pushes the service accepted (VAPID verified, payload decrypted), one per member at most. */
  pushes: number;
  /** Pushes per second from the push message's ack to the last push. */
  pushesPerSec: number | null;
  /** Ack of the push message → first and last push, ms. */
  firstPushMs: number | null;
  lastPushMs: number | null;
  /** Server CPU per push, as `serverCpuMsPerPush` below. */
  serverCpuMsPerPush: number | null;
  /** Other senders' ack p99 during this round's pushes, ms. */
  ackP99: number | null;
  /** Cores the server kept busy in the quiet window before this round, and during its fan-out. */
  serverCoresBefore: number;
  serverCoresDuring: number | null;
};

export type PushBenchResult = {
  kind: 'push';
  members: number;
  /** The fewest pushes a round's message got (every member's in each round when complete). */
  pushes: number;
  /** The round with the median push rate: its rate, and its ack → first and last push, ms. */
  pushesPerSec: number | null;
  firstPushMs: number | null;
  lastPushMs: number | null;
  /** Each push message's fan-out, in order; absent in results stored before the rounds. */
  rounds?: PushRound[];
  /** Requests the service refused (bad JWT, undecryptable) and repeats of a member's push. */
  faults: number;
  faultExamples: string[];
  duplicates: number;
  /** Other senders' acks without pushes (`baselineMs` before each push message and as long after the last round), and from each push message to its last push; pooled over the rounds. */
  ackWithout: Latency;
  ackWith: Latency;
  /** The same two phases as the server measured them (chat_ack_seconds, bucket-interpolated): null when /metrics could not be read. */
  serverAckP99Without?: number | null;
  serverAckP99With?: number | null;
  /** The primary's group commits (chat_commit_seconds) in the same phases. */
  serverCommitP99Without?: number | null;
  serverCommitP99With?: number | null;
  ackErrors: number;
  /** Messages per second the senders sent together. */
  sendRate: number;
  /**
   * Server CPU (all processes and threads) per push: CPU during the fan-out minus what the
   * senders' load cost per second before it. What the push rate would be on idle cores follows.
   */
  serverCpuMsPerPush: number | null;
  /** Cores the server kept busy (CPU ms per ms) with the senders alone, and during the fan-out (the median-rate round's). */
  serverCoresBefore: number;
  serverCoresDuring: number | null;
  /** Set when not every member's push arrived in time. */
  error?: string;
};

export type SoakMinute = {
  /** 1-based. */
  minute: number;
  /** Median of the RSS samples read in this minute (sum over the server's processes), bytes. */
  rss: number | null;
  rssSamples: number;
  /** Messages sent in this minute, and of those, acked ok. */
  sent: number;
  acked: number;
  /** Acks of the messages sent in this minute. */
  ack: Latency;
  /** Clients that began a reconnect in this minute; time from the new connection to sync:done. */
  reconnect: Latency;
  /**
   * The server's own ack latency over the acks it wrote in this minute (chat_ack_seconds: message:send
   * read → ack written, interpolated in its buckets), ms; absent without a metrics endpoint.
   */
  serverAck?: { p50: number | null; p99: number | null };
  /** The load process's event-loop delay p99 in this minute, ms: how late it may have read an ack it was sent. */
  loadLoopP99?: number | null;
};

export type SoakResult = {
  kind: 'soak';
  clients: number;
  senders: number;
  connectMs: number;
  /** The open-loop rate sent at, msg/s, and where it came from. */
  rate: number;
  /** The closed-loop calibration: acks and deliveries per second, and the message rate both sustain (the lesser of acks and deliveries ÷ clients). */
  calibration: { ackedPerSec: number; deliveredPerSec: number; sustainedPerSec: number; ms: number } | null;
  minuteMs: number;
  /** The churn and the RSS reads as asked (SoakJob). */
  churnPerMinute: number;
  offlineMs: number;
  sampleMs: number;
  minutes: SoakMinute[];
  /** Every RSS read: ms since the soak started, bytes. */
  samples: Array<{ atMs: number; rss: number }>;
  sent: number;
  acked: number;
  /** Sends refused or timed out, and sends skipped because the backlog of unacked ones was full. */
  ackErrors: number;
  skipped: number;
  reconnects: number;
  reconnectFailures: number;
  /** Connections that ended without the client closing them (then reconnected like churn), and up to five examples of what went wrong. */
  drops: number;
  examples: string[];
  /** With checkDelivery: clients whose seqs were checked, seqs they never got, seqs they got twice. */
  delivery: { clients: number; lastSeq: number; missing: number; duplicates: number } | null;
  error?: string;
};

export type LoadResult = SoakResult | ThroughputResult | LadderResult | SeedResult | CatchupResult | IdleResult | PushBenchResult;
