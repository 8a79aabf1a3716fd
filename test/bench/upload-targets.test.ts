/** The upload target rows of the bench report: text ingest during uploads judged by the median round's ratio. */
import { describe, expect, it } from 'vitest';
import type { RawResults } from '../../bench/report/raw';
import { uploadTargets } from '../../bench/report/upload-targets';
import { medianRound, type IngestRound, type UploadBenchResult } from '../../bench/uploads';

const view = { ackP99Alone: 20, ackP99During: 21, commitP99Alone: 5, commitP99During: 6 };
const round = (alone: number, during: number): IngestRound => ({ alone, during, ratio: during / alone, uploads: 50, server: view });
const side = { uploads: 60, perSec: 6, p50Ms: 1000, p99Ms: 3000, errors: 0, firstError: null };

function raw(rounds: IngestRound[]): RawResults {
  const median = medianRound(rounds);
  const uploads: UploadBenchResult = {
    clients: 20,
    bytes: 1_000_000,
    durationMs: 10_000,
    ours: side,
    fileCopy: { ...side, perSec: 250 },
    ingestAlone: median.alone,
    ingestDuringUploads: median.during,
    ingestRatio: median.ratio,
    uploadsDuringIngest: median.uploads,
    server: median.server,
    rounds,
  };
  return { plan: { kinds: ['ours'], scenarios: ['uploads'], catchupSizes: [] }, uploads } as unknown as RawResults;
}

describe('upload targets', () => {
  it('take the median round, not the mean or the best', () => {
    const rounds = [round(8000, 4800), round(9000, 8100), round(7000, 5950)];
    expect(medianRound(rounds).ratio).toBeCloseTo(0.85);
    const [, ingest] = uploadTargets(raw(rounds));
    expect(ingest.pass).toBe(true);
    expect(ingest.value).toContain('0.85×');
    expect(ingest.value).toContain('median of 3 rounds: 0.60×, 0.90×, 0.85×');
    expect(ingest.runs).toBe('3 rounds');
  });

  it('fail when the median round is under 0.8, whatever the best', () => {
    const [, ingest] = uploadTargets(raw([round(8000, 4800), round(9000, 9900), round(7000, 5460)]));
    expect(ingest.value).toMatch(/^0\.78×/);
    expect(ingest.pass).toBe(false);
  });

  it('say what the server measured beside the clients', () => {
    const [, ingest] = uploadTargets(raw([round(8000, 7000)]));
    expect(ingest.value).toContain('server ack p99 20.0 ms alone, 21.0 ms during');
    expect(ingest.runs).toBe('1 run');
  });
});
