/**
 * The ingest load's three shapes taking turns on one server and one set of connections:
 * sends only, the mix of sends, reactions and edits, and sends with every client sending
 * delivered receipts. Measured as separate runs a quarter of a minute apart, the ratio
 * between two shapes moved ±20% with this machine's speed (the same build's send-only
 * ingest 6,600–8,100 msg/s within minutes); short phases (the bench's shapePhaseMs), in a
 * rotating order, share that drift, so the ratio of their rates is the shapes' own cost.
 * Checked with all three shapes sending alike: their ratios came out 0.95–1.10 around 1.
 */
export const INGEST_SHAPES = ['send', 'mixed', 'ticks'] as const;
export type IngestShape = (typeof INGEST_SHAPES)[number];

/**
 * Each shape's share of an alternating run comes in this many phases, four rounds of the rotation
 * below: with 6, the same build's runs still spread 0.83–1.02.
 */
export const PHASES_PER_SHAPE = 12;

export type PhaseClock = {
  /**
   * The shape in force at `at`: from one turn of three phases before the window (the end of the
   * warm-up, so that no shape's first phase runs on code V8 has not optimized yet) to its end; null
   * otherwise (the rest of the warm-up sends only).
   */
  shapeAt(at: number): IngestShape | null;
  /** The shape an op acked at `at` counts for: inside the window only. */
  countedAt(at: number): IngestShape | null;
  /** How long each shape was in force inside the window, ms. */
  msOf(shape: IngestShape): number;
};

/**
 * Phase k's shape (k < 0: the turn before the window). Each turn of three starts one shape later
 * than the turn before (sends, mixed, receipts; then mixed, receipts, sends; then receipts, sends,
 * mixed): every shape takes every place in a turn equally often and follows each other shape, so
 * neither a place (with all three shapes sending alike, the third place of a fixed order got 0.86×
 * the first) nor what the shape before left behind favours one of them.
 */
export function shapeOfPhase(phase: number): IngestShape {
  const count = INGEST_SHAPES.length;
  const turn = Math.floor(phase / count);
  return INGEST_SHAPES[(((phase + turn) % count) + count) % count] ?? 'send';
}

export function phaseClock(windowStart: number, durationMs: number, phaseMs: number): PhaseClock {
  const end = windowStart + durationMs;
  const ms = new Map<IngestShape, number>(INGEST_SHAPES.map((shape) => [shape, 0]));
  for (let start = 0, phase = 0; start < durationMs; start += phaseMs, phase++) {
    const shape = shapeOfPhase(phase);
    ms.set(shape, (ms.get(shape) ?? 0) + Math.min(phaseMs, durationMs - start));
  }
  const leadIn = INGEST_SHAPES.length * phaseMs;
  const shapeAt = (at: number) => (at < windowStart - leadIn || at >= end ? null : shapeOfPhase(Math.floor((at - windowStart) / phaseMs)));
  return {
    shapeAt,
    countedAt: (at) => (at < windowStart ? null : shapeAt(at)),
    msOf: (shape) => ms.get(shape) ?? 0,
  };
}
