/**
 * The ingest load's three shapes taking turns on one server and one set of connections:
 * sends only, the mix of sends, reactions and edits, and sends with every client sending
 * delivered receipts. Measured as separate runs a quarter of a minute apart, the ratio
 * between two shapes moved ±20% with this machine's speed (the same build's send-only
 * ingest 6,600–8,100 msg/s within minutes); phases two seconds long, rotated, share that
 * drift, so the ratio of their rates is the shapes' own cost.
 */
export const INGEST_SHAPES = ['send', 'mixed', 'ticks'] as const;
export type IngestShape = (typeof INGEST_SHAPES)[number];

/** Each shape's share of an alternating run comes in this many phases. */
export const PHASES_PER_SHAPE = 5;

export type PhaseClock = {
  /** The shape in force at `at`: sends only before the window (the warm-up), null after it. */
  shapeAt(at: number): IngestShape | null;
  /** How long each shape was in force inside the window, ms. */
  msOf(shape: IngestShape): number;
};

export function phaseClock(windowStart: number, durationMs: number, phaseMs: number): PhaseClock {
  const end = windowStart + durationMs;
  const ms = new Map<IngestShape, number>(INGEST_SHAPES.map((shape) => [shape, 0]));
  for (let start = 0, phase = 0; start < durationMs; start += phaseMs, phase++) {
    const shape = INGEST_SHAPES[phase % INGEST_SHAPES.length] ?? 'send';
    ms.set(shape, (ms.get(shape) ?? 0) + Math.min(phaseMs, durationMs - start));
  }
  return {
    shapeAt(at) {
      if (at < windowStart) return 'send';
      if (at >= end) return null;
      return INGEST_SHAPES[Math.floor((at - windowStart) / phaseMs) % INGEST_SHAPES.length] ?? 'send';
    },
    msOf: (shape) => ms.get(shape) ?? 0,
  };
}
