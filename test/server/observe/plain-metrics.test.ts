/** Our counters and gauges read exactly as prom-client's own would, alone and summed across processes. */
import { AggregatorRegistry, Counter as PromCounter, Gauge as PromGauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, LabelledCounter } from '../../../server/observe/plain-metrics';

function registryOf(...metrics: object[]): Registry {
  const registry = new Registry();
  for (const metric of metrics) registry.registerMetric(metric as never);
  return registry;
}

describe('plain metrics', () => {
  it('read as the Prometheus text of prom-client’s Counter and Gauge', async () => {
    const counter = new Counter('c_total', 'a counter');
    const untouched = new Counter('u_total', 'never counted');
    const gauge = new Gauge('g', 'a gauge');
    const labelled = new LabelledCounter('l_total', 'by code', 'code');
    const promCounter = new PromCounter({ name: 'c_total', help: 'a counter', registers: [] });
    const promUntouched = new PromCounter({ name: 'u_total', help: 'never counted', registers: [] });
    const promGauge = new PromGauge({ name: 'g', help: 'a gauge', registers: [] });
    const promLabelled = new PromCounter({ name: 'l_total', help: 'by code', labelNames: ['code'], registers: [] });

    counter.inc();
    counter.inc(4);
    promCounter.inc();
    promCounter.inc(4);
    gauge.set(7);
    gauge.inc();
    gauge.dec(3);
    promGauge.set(7);
    promGauge.inc();
    promGauge.dec(3);
    for (const code of ['bad_request', 'rate_limited', 'bad_request']) {
      labelled.inc({ code });
      promLabelled.inc({ code });
    }
    // A number and its string are one series, as in prom-client.
    labelled.inc({ code: 503 });
    labelled.inc({ code: '503' });
    promLabelled.inc({ code: 503 });
    promLabelled.inc({ code: '503' });

    const ours = await registryOf(counter, untouched, gauge, labelled).metrics();
    const theirs = await registryOf(promCounter, promUntouched, promGauge, promLabelled).metrics();
    expect(ours).toBe(theirs);
    expect(ours).toContain('l_total{code="bad_request"} 2');
    expect(ours).toContain('u_total 0');
  });

  it('sum across processes as the cluster aggregation does', async () => {
    const registries = [0, 1].map((index) => {
      const counter = new LabelledCounter('refusals_total', 'by status', 'status');
      const gauge = new Gauge('open', 'open now');
      counter.inc({ status: 503 }, index + 1);
      gauge.set(10 * (index + 1));
      return registryOf(counter, gauge);
    });
    const summed = AggregatorRegistry.aggregate(await Promise.all(registries.map((registry) => registry.getMetricsAsJSON())));
    const text = await summed.metrics();
    expect(text).toContain('refusals_total{status="503"} 3');
    expect(text).toContain('open 30');
  });

  it('start again from nothing on reset', async () => {
    const labelled = new LabelledCounter('l_total', 'by code', 'code');
    const gauge = new Gauge('g', 'a gauge');
    labelled.inc({ code: 'x' });
    gauge.set(5);
    labelled.reset();
    gauge.reset();
    expect((await labelled.get()).values).toEqual([]);
    expect((await gauge.get()).values).toEqual([{ labels: {}, value: 0 }]);
  });
});
