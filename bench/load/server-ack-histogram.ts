/**
 * The server's own ack latency (`chat_ack_seconds`, message:send arriving → its ack written),
 * scraped from /metrics at phase boundaries. Beside the load clients' view it separates what the
 * server did from what the machine's other tenants (the load process, the loopback push service)
 * added on the way: on two cores they all share the CPU.
 */

/** Cumulative counts per bucket upper bound (seconds), as Prometheus exposes them; +Inf last. */
export type AckBuckets = { bounds: number[]; counts: number[] };

/** The cluster-wide histogram `name` (by default the acks') out of a Prometheus text exposition. */
export function parseAckBuckets(exposition: string, name = 'chat_ack_seconds'): AckBuckets {
  const bucketLine = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\}\\s+(\\d+(?:\\.\\d+)?)`);
  const bounds: number[] = [];
  const counts: number[] = [];
  for (const line of exposition.split('\n')) {
    const match = bucketLine.exec(line);
    if (!match) continue;
    bounds.push(match[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(match[1]));
    counts.push(Number(match[2]));
  }
  return { bounds, counts };
}

/** What was recorded between two scrapes (`later` minus `earlier`), plus any further spans. */
export function bucketsBetween(...spans: Array<[earlier: AckBuckets, later: AckBuckets]>): AckBuckets {
  const [first] = spans;
  const bounds = first ? first[1].bounds : [];
  const counts = bounds.map((_, index) =>
    spans.reduce((sum, [earlier, later]) => sum + later.counts[index] - (earlier.counts[index] ?? 0), 0),
  );
  return { bounds, counts };
}

/**
 * The `q` quantile in ms, interpolated linearly inside its bucket (Prometheus's
 * histogram_quantile); null without samples. Only as exact as the buckets (5, 10, 25, 50 ms …).
 */
export function quantileMs(histogram: AckBuckets, q: number): number | null {
  const total = histogram.counts.at(-1) ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  for (let index = 0; index < histogram.bounds.length; index++) {
    if (histogram.counts[index] < rank) continue;
    const upper = histogram.bounds[index];
    const lower = index === 0 ? 0 : histogram.bounds[index - 1];
    if (!Number.isFinite(upper)) return lower * 1000;
    const below = index === 0 ? 0 : histogram.counts[index - 1];
    const inBucket = histogram.counts[index] - below;
    return (lower + ((upper - lower) * (rank - below)) / Math.max(1, inBucket)) * 1000;
  }
  return null;
}

/** The acks' histogram and the store commits' (chat_commit_seconds: one group commit, in the primary). */
export type ServerHistograms = { acks: AckBuckets; commits: AckBuckets };

export async function scrapeServerHistograms(metricsUrl: string): Promise<ServerHistograms> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`GET ${metricsUrl} answered ${response.status}`);
  const text = await response.text();
  return { acks: parseAckBuckets(text), commits: parseAckBuckets(text, 'chat_commit_seconds') };
}
