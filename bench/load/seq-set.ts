/**
 * The room seqs one soak client holds, as bits above the cursor it first connected with:
 * a few kilobytes per client for a 30-minute soak. It gives the cursor a reconnecting
 * client sends (the highest seq below which it holds everything, as the PWA keeps) and,
 * at the end, how many messages it never got. Pure: unit-tested in test/bench/soak.test.ts.
 */
export class SeqSet {
  private bits = new Uint8Array(128);
  /** Every seq in (base, contiguous] is held. */
  private high: number;
  duplicates = 0;

  constructor(readonly base: number) {
    this.high = base;
  }

  private has(index: number): boolean {
    return ((this.bits[index >> 3] ?? 0) & (1 << (index & 7))) !== 0;
  }

  /** Records `seq`; false (and counted) when it was held already. Seqs at or below the base are ignored. */
  add(seq: number): boolean {
    const index = seq - this.base - 1;
    if (index < 0) return true;
    if (index >> 3 >= this.bits.length) {
      let size = this.bits.length;
      while (size <= index >> 3) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bits);
      this.bits = grown;
    }
    if (this.has(index)) {
      this.duplicates += 1;
      return false;
    }
    this.bits[index >> 3] = (this.bits[index >> 3] ?? 0) | (1 << (index & 7));
    while (this.has(this.high - this.base)) this.high += 1;
    return true;
  }

  /** The highest seq below which every seq is held: the cursor to reconnect with. */
  get contiguous(): number {
    return this.high;
  }

  /** Seqs in (base, last] not held. */
  missingUpTo(last: number): number {
    let missing = 0;
    for (let seq = this.high + 1; seq <= last; seq++) if (!this.has(seq - this.base - 1)) missing += 1;
    return missing;
  }
}
