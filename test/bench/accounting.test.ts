import { describe, expect, it } from 'vitest';
import {
  LatencyHistogram,
  Ledger,
  clientOffsetOf,
  encodeContent,
  median,
  parseContent,
  verifyDeliveries,
} from '../../bench/load/accounting';

/** Plain arrays as count sources for verifyDeliveries. */
const counts = (values: number[]) => ({ length: values.length, get: (index: number) => values[index] ?? 0 });

describe('bench accounting', () => {
  it('round-trips a message tag through its content and makes protocol-valid client offsets', () => {
    const tag = { step: 2, sender: 13, n: 4567 };
    expect(parseContent(encodeContent(tag))).toEqual(tag);
    expect(parseContent('hello')).toBeNull();
    expect(parseContent(42)).toBeNull();
    expect(clientOffsetOf('ab12', tag)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('counts acks and deliveries and passes when every receiver got every acked message once', () => {
    const ledger = new Ledger(2, 3);
    ledger.setWindow(0, 1000);
    for (let sender = 0; sender < 2; sender++) {
      for (let n = 0; n < 5; n++) {
        ledger.sent(sender, n, 10);
        ledger.acked(sender, n, 15);
        for (let receiver = 0; receiver < 3; receiver++) ledger.delivered(receiver, sender, n, 20);
      }
    }
    expect(ledger.complete()).toBe(true);
    const verdict = ledger.verify();
    expect(verdict).toMatchObject({ acked: 10, lost: 0, duplicated: 0, duplicateAcks: 0, expectedDeliveries: 30 });
    expect(ledger.windowAcks).toBe(10);
    expect(ledger.windowDeliveries).toBe(30);
    expect(ledger.ackLatency.quantile(0.5)).toBeCloseTo(5, 0);
    expect(ledger.deliveryLatency.quantile(0.99)).toBeCloseTo(10, 0);
  });

  it('detects a lost message: acked but never delivered to one receiver', () => {
    const ledger = new Ledger(1, 2);
    ledger.sent(0, 0, 1);
    ledger.acked(0, 0, 2);
    ledger.delivered(0, 0, 0, 3);
    expect(ledger.complete()).toBe(false);
    const verdict = ledger.verify();
    expect(verdict.lost).toBe(1);
    expect(verdict.examples[0]).toContain('receiver 1 never got');
  });

  it('detects a duplicate delivery and a duplicate ack', () => {
    const ledger = new Ledger(1, 1);
    ledger.sent(0, 0, 1);
    ledger.acked(0, 0, 2);
    ledger.acked(0, 0, 3);
    ledger.delivered(0, 0, 0, 3);
    ledger.delivered(0, 0, 0, 4);
    const verdict = ledger.verify();
    expect(verdict.duplicated).toBe(1);
    expect(verdict.duplicateAcks).toBe(1);
    expect(verdict.lost).toBe(0);
    expect(ledger.uniqueDeliveries).toBe(1);
    expect(ledger.totalDeliveries).toBe(2);
  });

  it('does not count deliveries of unacked messages as losses', () => {
    const verdict = verifyDeliveries([counts([1, 0])], [[counts([1, 1])]]);
    expect(verdict).toMatchObject({ acked: 1, lost: 0, duplicated: 0, unackedDeliveries: 1 });
  });

  it('takes quantiles within 1% and medians of finite values', () => {
    const histogram = new LatencyHistogram();
    for (let value = 1; value <= 1000; value++) histogram.record(value);
    expect(histogram.quantile(0.5)).toBeGreaterThan(495);
    expect(histogram.quantile(0.5)).toBeLessThan(506);
    expect(histogram.quantile(0.99)).toBeGreaterThan(985);
    expect(histogram.quantile(0.99)).toBeLessThanOrEqual(1000);
    expect(new LatencyHistogram().quantile(0.5)).toBeNull();
    expect(median([3, null, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});
