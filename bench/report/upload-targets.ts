/** The attachment targets of #18, from the upload measurement of a run (its text ingest in rounds, judged by their median). */
import type { ServerView } from '../uploads';
import type { RawResults } from './raw';
import { fmt, type TargetRow } from './targets';

/** What the server measured itself, alone and during uploads: the wording of the report row and of the bench's log. */
export function serverViewText(server: ServerView): string {
  return (
    `server ack p99 ${fmt(server.ackP99Alone, 1)} ms alone, ${fmt(server.ackP99During, 1)} ms during; ` +
    `group-commit p99 ${fmt(server.commitP99Alone, 1)} and ${fmt(server.commitP99During, 1)} ms`
  );
}

const MIN_INGEST_RATIO = 0.8;

export function uploadTargets(raw: RawResults): TargetRow[] {
  if (!raw.plan?.scenarios.includes('uploads') || !raw.plan.kinds.includes('ours')) return [];
  const uploads = raw.uploads;
  if (!uploads)
    return [
      {
        target: `Text ingest while 20 clients upload 1 MB images ≥ ${MIN_INGEST_RATIO}× without`,
        value: 'failed (see the errors)',
        runs: '',
        pass: false,
      },
    ];
  const { ours, fileCopy, server } = uploads;
  const rounds = uploads.rounds ?? [];
  const versus = fileCopy.perSec > 0 ? ours.perSec / fileCopy.perSec : null;
  return [
    {
      // Reported against the baseline, not judged: the file copy stores bytes, ours re-encodes every image.
      target: `${uploads.clients} clients uploading ${fmt(uploads.bytes / 1e6, 1)} MB images (tus + finalize): uploads/s and p99, vs a plain file copy`,
      value:
        `${fmt(ours.perSec, 1)}/s, p99 ${fmt(ours.p99Ms)} ms (file copy ${fmt(fileCopy.perSec, 1)}/s, p99 ${fmt(fileCopy.p99Ms)} ms; ` +
        `${versus === null ? '—' : `${versus.toFixed(2)}×`})${ours.errors ? `, ${ours.errors} errors` : ''}`,
      runs: '1 run',
      pass: ours.errors === 0 && ours.uploads > 0,
    },
    {
      target: `Text ingest while they upload ≥ ${MIN_INGEST_RATIO}× without`,
      value:
        `${uploads.ingestRatio === null ? '—' : `${uploads.ingestRatio.toFixed(2)}×`} (${fmt(uploads.ingestDuringUploads)} vs ${fmt(uploads.ingestAlone)} acked/s, ${uploads.uploadsDuringIngest} uploads meanwhile` +
        `${rounds.length > 1 ? `; median of ${rounds.length} rounds: ${rounds.map((round) => (round.ratio === null ? '—' : `${round.ratio.toFixed(2)}×`)).join(', ')}` : ''})` +
        (server ? `; ${serverViewText(server)}` : ''),
      runs: rounds.length > 1 ? `${rounds.length} rounds` : '1 run',
      pass: uploads.ingestRatio !== null && uploads.ingestRatio >= MIN_INGEST_RATIO,
    },
  ];
}
