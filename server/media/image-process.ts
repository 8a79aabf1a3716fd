/**
 * The image process (image-worker.ts forks it, detached): re-encodes the images it is handed, one
 * at a time, at the lowest scheduling priority, its own scheduling group included (see
 * lowest-priority.ts), set before any thread exists so libvips' threads inherit it. Image work
 * takes only the CPU that the event loops, and their acks, leave: text keeps flowing while
 * photos are processed. It leaves when the server does (the IPC channel closes).
 */
import { lowerOwnPriority } from '../lowest-priority';
import { reencode, type ReencodeJob, type ReencodeOutcome } from './reencode';

export type ImageJob = ReencodeJob & { id: number };
export type ImageAnswer = { id: number; outcome: ReencodeOutcome } | { id: number; error: string };

lowerOwnPriority();

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
