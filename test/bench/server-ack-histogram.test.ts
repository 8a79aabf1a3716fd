import { describe, expect, it } from 'vitest';
import { bucketsBetween, parseAckBuckets, quantileMs } from '../../bench/load/server-ack-histogram';

const exposition = (counts: number[]) =>
  [
    '# HELP chat_ack_seconds From a message:send arriving to its ack being sent',
    '# TYPE chat_ack_seconds histogram',
    ...['0.005', '0.01', '0.025', '+Inf'].map((le, index) => `chat_ack_seconds_bucket{le="${le}"} ${counts[index]}`),
    `chat_ack_seconds_count ${counts[3]}`,
    'chat_commit_seconds_bucket{le="0.005"} 7',
    'chat_commit_seconds_bucket{le="+Inf"} 9',
  ].join('\n');

describe("the server's ack histogram from /metrics", () => {
  it('reads the cumulative buckets of the named histogram only', () => {
    expect(parseAckBuckets(exposition([1, 2, 3, 4]))).toEqual({ bounds: [0.005, 0.01, 0.025, Infinity], counts: [1, 2, 3, 4] });
    expect(parseAckBuckets(exposition([1, 2, 3, 4]), 'chat_commit_seconds')).toEqual({ bounds: [0.005, Infinity], counts: [7, 9] });
  });

  it('subtracts scrapes and adds spans, so two quiet phases around a busy one make one histogram', () => {
    const at = (counts: number[]) => parseAckBuckets(exposition(counts));
    const quiet = bucketsBetween([at([0, 0, 0, 0]), at([90, 100, 100, 100])], [at([90, 100, 110, 110]), at([180, 200, 210, 210])]);
    expect(quiet.counts).toEqual([180, 200, 200, 200]);
  });

  it('interpolates the quantile inside its bucket and answers null without samples', () => {
    const histogram = { bounds: [0.005, 0.01, 0.025, Infinity], counts: [90, 100, 100, 100] };
    // The 99th of 100 acks is the 9th of the 10 in (5 ms, 10 ms].
    expect(quantileMs(histogram, 0.99)).toBeCloseTo(9.5, 5);
    expect(quantileMs(histogram, 0.5)).toBeCloseTo((5 * 50) / 90, 5);
    expect(quantileMs({ bounds: [0.005, Infinity], counts: [0, 0] }, 0.99)).toBeNull();
  });
});
