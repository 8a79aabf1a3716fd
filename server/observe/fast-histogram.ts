/**
 * A histogram without labels whose `observe` is a bucket search and three
 * additions. prom-client's own spends about 1 µs per call (label hashing,
 * exemplars), too much for once per message; this one exports the same shape
 * to a prom-client registry, so scrapes and the cluster's sum treat it alike.
 */

type Options = { name: string; help: string; buckets: number[] };
type Value = { labels: Record<string, string | number>; value: number; metricName: string };

export class FastHistogram {
  readonly name: string;
  readonly help: string;
  private readonly buckets: number[];
  /** counts[i]: observations in (buckets[i-1], buckets[i]]; the last: above every bucket. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(options: Options) {
    this.name = options.name;
    this.help = options.help;
    this.buckets = [...options.buckets].sort((a, b) => a - b);
    this.counts = new Float64Array(this.buckets.length + 1);
  }

  observe(value: number): void {
    let index = 0;
    while (index < this.buckets.length && value > this.buckets[index]) index++;
    this.counts[index]++;
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  /** What a prom-client registry reads (the shape its own Histogram returns). */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: Value[]; aggregator: 'sum' }> {
    const values: Value[] = [];
    let cumulative = 0;
    this.buckets.forEach((le, index) => {
      cumulative += this.counts[index];
      values.push({ labels: { le }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    values.push({ labels: { le: '+Inf' }, value: this.count, metricName: `${this.name}_bucket` });
    values.push({ labels: {}, value: this.sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, value: this.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}
