/**
 * The image process (image-worker.ts forks it): re-encodes the images it is handed, one at a time,
 * at nice 19, set before any thread exists so libvips' threads inherit it. It stays in the
 * server's session, so in the server's scheduling group (autogroup): inside it, every event loop
 * (and its acks) goes first. Unlike the push send processes it does not lower a group of its own:
 * a photo someone is waiting to see must not wait behind every other program on the machine (a
 * bench on a busy machine finished no upload in 4 s that way).
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
