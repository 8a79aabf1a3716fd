/**
 * The image process (image-worker.ts starts it): re-encodes the images it is handed, one at a
 * time, at the lowest scheduling priority (nice 19, set before any thread exists, so libvips'
 * threads inherit it). Image work takes only the CPU that the event loops, and their acks, leave:
 * text keeps flowing while photos are processed.
 */
import { setPriority } from 'node:os';
import { reencode, type ReencodeJob, type ReencodeOutcome } from './reencode';

export type ImageJob = ReencodeJob & { id: number };
export type ImageAnswer = { id: number; outcome: ReencodeOutcome } | { id: number; error: string };

try {
  setPriority(19);
} catch {
  // Not permitted here: the images are still processed, at normal priority.
}

let queue = Promise.resolve();
process.on('message', (job: ImageJob) => {
  queue = queue.then(async () => {
    const answer: ImageAnswer = await reencode(job).then(
      (outcome) => ({ id: job.id, outcome }),
      (error: unknown) => ({ id: job.id, error: error instanceof Error ? error.message : String(error) }),
    );
    process.send?.(answer);
  });
});
// The server that started it is gone: so is its work.
process.on('disconnect', () => process.exit(0));
