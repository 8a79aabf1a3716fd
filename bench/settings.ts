/** The load of a full and a quick run: clients, windows, durations, growth steps, catch-up sizes. */

export type Settings = {
  runs: number;
  /** Idle memory and start-up: our server with WORKERS=2 (the target's shape) and this many synced clients. */
  idle: { clients: number; workers: number; settleMs: number; idleMs: number };
  ingest: { clients: number; senders: number; window: number };
  fanout: { clients: number; senders: number; window: number };
  durationMs: number;
  warmupMs: number;
  /** Ours' ingest shapes (sends only, mixed, with receipts) take turns in phases this long, PHASES_PER_SHAPE each. */
  shapePhaseMs: number;
  ladder: { steps: number[]; probeRate: number; probeMs: number; settleMs: number };
  rssStep: number;
  catchup: { sizes: number[]; timeoutMs: number };
  /** Messages in general for the bounded-history and search scenario. */
  history: { messages: number };
  /** `rounds` messages, one at a time, to `members` offline subscribed members while `senders` send `ratePerSender` msg/s each elsewhere. */
  push: { members: number; senders: number; ratePerSender: number; baselineMs: number; rounds: number; timeoutMs: number };
  /**
   * #17's soak: `clients` connected, `senders` sending at half the rate a closed-loop calibration
   * in the same shape acked (or at `rate` msg/s when given), `churnPerMinute` of the clients
   * dropping and reconnecting each minute after `offlineMs` away; RSS read every `sampleMs`.
   * The targets ignore the first `warmupMinutes`.
   */
  soak: {
    clients: number;
    senders: number;
    durationMs: number;
    warmupMinutes: number;
    rate: number | null;
    calibrateMs: number;
    churnPerMinute: number;
    offlineMs: number;
    sampleMs: number;
  };
  /**
   * Attachments (#18): `clients` uploaders of a `bytes` JPEG each, for `durationMs` per phase; `textSenders` with `window`
   * sends in flight; `rounds` pairs of text ingest alone then during uploads, judged by the median of their ratios.
   */
  uploads: { clients: number; bytes: number; durationMs: number; textSenders: number; window: number; rounds: number };
  clientRuns: number;
  lighthouse: boolean;
};

export const FULL: Settings = {
  runs: 3,
  idle: { clients: 10, workers: 2, settleMs: 2_000, idleMs: 20_000 },
  ingest: { clients: 10, senders: 10, window: 8 },
  fanout: { clients: 200, senders: 20, window: 4 },
  durationMs: 10_000,
  warmupMs: 1_000,
  shapePhaseMs: 2_000,
  ladder: { steps: [10, 1000, 2000, 5000, 10_000], probeRate: 20, probeMs: 5_000, settleMs: 3_000 },
  rssStep: 2000,
  catchup: { sizes: [1_000, 10_000, 100_000], timeoutMs: 300_000 },
  history: { messages: 1_000_000 },
  // Five fan-outs, not three: a round's ack p99 ranged 10.7–22.5 ms within one full run (cc5b0a4) and 10.1–33.8 ms
  // within one run of the scenario alone; five rounds pool about 3,500 acks into the p99 instead of 2,000.
  push: { members: 10_000, senders: 10, ratePerSender: 20, baselineMs: 6_000, rounds: 5, timeoutMs: 120_000 },
  soak: {
    clients: 1_000,
    senders: 200,
    durationMs: 30 * 60_000,
    warmupMinutes: 5,
    rate: null,
    calibrateMs: 15_000,
    churnPerMinute: 0.05,
    offlineMs: 5_000,
    sampleMs: 5_000,
  },
  uploads: { clients: 20, bytes: 1_000_000, durationMs: 10_000, textSenders: 10, window: 8, rounds: 3 },
  // Lighthouse's own guidance (docs/variability.md): the median of five runs about halves the spread of one. Here ten
  // runs of one build within 10 minutes scored 87–100 (TBT 54–497 ms); medians of three in a row, anywhere in 91–100.
  clientRuns: 5,
  lighthouse: true,
};

export const QUICK: Settings = {
  runs: 1,
  idle: { clients: 10, workers: 2, settleMs: 1_000, idleMs: 15_000 },
  ingest: { clients: 10, senders: 10, window: 8 },
  fanout: { clients: 50, senders: 10, window: 4 },
  durationMs: 1_500,
  warmupMs: 250,
  shapePhaseMs: 300,
  ladder: { steps: [10, 200], probeRate: 20, probeMs: 1_000, settleMs: 500 },
  rssStep: 200,
  catchup: { sizes: [1_000, 5_000], timeoutMs: 60_000 },
  history: { messages: 50_000 },
  // The target is about 10,000 members: quick measures the same fan-out, with a shorter baseline.
  push: { members: 10_000, senders: 10, ratePerSender: 20, baselineMs: 4_000, rounds: 2, timeoutMs: 120_000 },
  // The same soak, 3 minutes, the first one warm-up.
  soak: {
    clients: 1_000,
    senders: 200,
    durationMs: 3 * 60_000,
    warmupMinutes: 1,
    rate: null,
    calibrateMs: 5_000,
    churnPerMinute: 0.05,
    offlineMs: 5_000,
    sampleMs: 5_000,
  },
  uploads: { clients: 20, bytes: 1_000_000, durationMs: 4_000, textSenders: 10, window: 8, rounds: 1 },
  clientRuns: 1,
  lighthouse: false,
};
