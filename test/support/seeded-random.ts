/** A small seeded PRNG (mulberry32) for fuzz and chaos tests: the same seed replays the same inputs. */
export type Random = {
  /** In [0, 1). */
  next(): number;
  int(below: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
};

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  return { next, int, pick: (items) => items[int(items.length)], chance: (probability) => next() < probability };
}

/** FUZZ_SEED from the environment, else a fresh one; printed by the caller so a failure can be replayed. */
export function seedFromEnv(name: string): number {
  const raw = process.env[name];
  return raw && /^\d+$/.test(raw) ? Number(raw) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}
