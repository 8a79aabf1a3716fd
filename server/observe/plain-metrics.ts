/**
 * Counters and gauges that need no library: a number (or one per label value)
 * and a `get()` in the shape prom-client's registry reads. The process records
 * into these from its first message; prom-client itself, about 4 MB of every
 * process's memory, is loaded only when /metrics is on (observe/metrics.ts).
 */

type Sample = { labels: Record<string, string | number>; value: number };
type MetricReading = { name: string; help: string; type: 'counter' | 'gauge'; values: Sample[]; aggregator: 'sum' };

abstract class PlainMetric {
  abstract readonly type: 'counter' | 'gauge';
  protected readonly samples = new Map<string, Sample>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  /** What a prom-client registry reads: the shape of its own Counter and Gauge. */
  async get(): Promise<MetricReading> {
    const values = [...this.samples.values()].map((sample) => ({ labels: { ...sample.labels }, value: sample.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

/** A number without labels, read as 0 before its first change (as prom-client's). */
abstract class UnlabelledMetric extends PlainMetric {
  private readonly sample: Sample = { labels: {}, value: 0 };

  constructor(name: string, help: string) {
    super(name, help);
    this.samples.set('', this.sample);
  }

  inc(by = 1): void {
    this.sample.value += by;
  }

  reset(): void {
    this.sample.value = 0;
  }
}

export class Counter extends UnlabelledMetric {
  readonly type = 'counter';
}

export class Gauge extends UnlabelledMetric {
  readonly type = 'gauge';

  set(value: number): void {
    this.reset();
    this.inc(value);
  }

  dec(by = 1): void {
    this.inc(-by);
  }
}

/** A counter per value of one label (an error code, a budget, a status); a value shows once counted. */
export class LabelledCounter<Label extends string> extends PlainMetric {
  readonly type = 'counter';

  constructor(
    name: string,
    help: string,
    private readonly label: Label,
  ) {
    super(name, help);
  }

  inc(labels: Record<Label, string | number>, by = 1): void {
    const value = labels[this.label];
    // 503 and '503' are one series in the exposition, as in prom-client.
    const sample = this.samples.get(String(value));
    if (sample) sample.value += by;
    else this.samples.set(String(value), { labels: { [this.label]: value }, value: by });
  }

  reset(): void {
    this.samples.clear();
  }
}
