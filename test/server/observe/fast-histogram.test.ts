/** FastHistogram exports exactly what prom-client's Histogram would, alone and summed across processes. */
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from '../../../server/observe/fast-histogram';

const BUCKETS = [0.001, 0.01, 0.1, 1];
const VALUES = [0, 0.001, 0.0011, 0.05, 0.1, 0.5, 1, 7, 0.002];

describe('FastHistogram', () => {
  it('reads as the Prometheus text of prom-client’s Histogram', async () => {
    const [ours, theirs] = [new Registry(), new Registry()];
    const fast = new FastHistogram({ name: 'h', help: 'help', buckets: BUCKETS });
    ours.registerMetric(fast as never);
    const reference = new Histogram({ name: 'h', help: 'help', buckets: BUCKETS, registers: [theirs] });
    for (const value of VALUES) {
      fast.observe(value);
      reference.observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('sums across registries as the cluster aggregation does', async () => {
    const registries = [new Registry(), new Registry()];
    registries.forEach((registry, index) => {
      const fast = new FastHistogram({ name: 'h', help: 'help', buckets: BUCKETS });
      registry.registerMetric(fast as never);
      (index === 0 ? VALUES.slice(0, 4) : VALUES.slice(4)).forEach((value) => fast.observe(value));
    });
    const summed = AggregatorRegistry.aggregate(await Promise.all(registries.map((registry) => registry.getMetricsAsJSON())));
    const text = await summed.metrics();
    expect(text).toContain('h_count 9');
    expect(text).toContain('h_bucket{le="+Inf"} 9');
    expect(text).toContain('h_bucket{le="0.001"} 2');
  });
});
