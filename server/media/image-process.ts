/**
 * The image process (image-worker.ts forks it): re-encodes the images it is handed, one at a time,
 * as background work: in the idle scheduling class and off the first core (see
 * fork-at-idle-priority.ts), so text acks never wait behind a photo, and a text flood slows
 * photos down instead (bench `uploads`: text ingest during uploads 0.73–0.93× of ingest alone,
 * against 0.5–0.6× when it ran at nice 19 in the server's scheduling group). Where that launch
 * is not available it lowers itself to nice 19, set before any thread exists so libvips' threads
 * inherit it.
 */
import { lowerOwnPriority } from '../fork-at-idle-priority';
import { reencode, type ReencodeJob, type ReencodeOutcome } from './reencode';

export type ImageJob = ReencodeJob & { id: number };
export type ImageAnswer = { id: number; outcome: ReencodeOutcome } | { id: number; error: string };

// In the server's session (not detached): its nice value only.
lowerOwnPriority({ sessionGroup: false });

// One job at a time: image-worker.ts sends the next only after this one's answer.
process.on('message', (job: ImageJob) => {
  void reencode(job)
    .then(
      (outcome): ImageAnswer => ({ id: job.id, outcome }),
      (error: unknown): ImageAnswer => ({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
    )
    .then((answer) => process.send?.(answer));
});
// The server that started it is gone: so is its work.
process.on('disconnect', () => process.exit(0));
