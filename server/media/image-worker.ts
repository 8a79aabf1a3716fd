/**
 * This server process's image process (image-process.ts): forked on the first image, stopped
 * after a quiet minute, so a server that receives no photos holds none. Jobs queue here and go
 * there one at a time; one that dies with the process fails, and its finalize answers
 * `unavailable` (retry).
 *
 * While this process is busy with other work (text), the image process rests 2 s after each
 * photo: photos still arrive (about one per 2 s per worker), text keeps its pace. The idle
 * scheduling class already yields the CPU to us, but not what else the photo work shares with us
 * (caches, memory bandwidth; on a VM's vCPUs perhaps one physical core). Bench `uploads`, median
 * of 3 rounds, text ingest during uploads / alone: 0.65× without a rest, about 0.80× resting as
 * long as the photo took, 0.88× resting 2 s, 0.93× resting 5 s (7 photos per round, not 12).
 */
import type { ChildProcess } from 'node:child_process';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { forkAtIdlePriority, probeIdlePriority } from '../fork-at-idle-priority';
import { log } from '../observe/log';
import type { ImageAnswer, ImageJob } from './image-process';
import type { ReencodeJob, ReencodeOutcome } from './reencode';

const IDLE_STOP_MS = 60_000;
/**
 * When the next photo waits. Busy: this share of our event loop used while a photo was
 * re-encoded (bench `uploads`: 0.3–0.6 with text flowing, under 0.2 with only uploads).
 */
export type ImagePacing = { busyShare: number; restMs: number };
const PACING: ImagePacing = { busyShare: 0.25, restMs: 2_000 };

/** Built: a file under media/ beside the bundle's chunks; from source (in-process tests, tsx), the .ts next to this one. */
function startProcess(): ChildProcess {
  const here = import.meta.url;
  const built = !here.endsWith('.ts');
  const script = fileURLToPath(built ? new URL('./media/image-process.js', here) : new URL('./image-process.ts', here));
  return forkAtIdlePriority(script, [], { serialization: 'advanced', execArgv: built ? [] : ['--import', 'tsx'] });
}

type Queued = { job: ReencodeJob; resolve(outcome: ReencodeOutcome): void; reject(error: Error): void };
/** The one job the image process holds: its id, and our event loop's use when it was sent. */
type Held = Queued & { id: number; loopBefore: EventLoopUtilization };

export type ImageWorker = { reencode(job: ReencodeJob): Promise<ReencodeOutcome>; close(): void };

export function createImageWorker(pacing: ImagePacing = PACING): ImageWorker {
  void probeIdlePriority();
  let child: ChildProcess | null = null;
  const queued: Queued[] = [];
  let held: Held | null = null;
  let nextId = 1;
  let resting = false;
  let closed = false;
  let idle: NodeJS.Timeout | null = null;

  /** The held job is answered (or lost with its process): a rest if our event loop was busy meanwhile, then the next one. */
  const settle = (settled: (job: Held) => void) => {
    const job = held;
    if (!job) return;
    held = null;
    const busy = performance.eventLoopUtilization(job.loopBefore).utilization >= pacing.busyShare;
    resting = true;
    const rest = setTimeout(
      () => {
        resting = false;
        pump();
      },
      busy ? pacing.restMs : 0,
    );
    rest.unref();
    settled(job);
  };

  const start = (): ChildProcess => {
    const started = startProcess();
    started.on('message', (answer: ImageAnswer) => {
      if (held?.id !== answer.id) return;
      settle((job) => ('error' in answer ? job.reject(new Error(answer.error)) : job.resolve(answer.outcome)));
    });
    started.on('error', (error) => log.warn(`media: the image process failed: ${error.message}`));
    started.on('exit', () => {
      if (child === started) child = null;
      settle((job) => job.reject(new Error('the image process stopped')));
    });
    started.unref();
    return started;
  };

  const idleSoon = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      if (!held && queued.length === 0) child?.kill();
    }, IDLE_STOP_MS);
    idle.unref();
  };

  const pump = () => {
    if (resting || closed || held) return;
    const job = queued.shift();
    if (!job) return idleSoon();
    child ??= start();
    held = { ...job, id: nextId++, loopBefore: performance.eventLoopUtilization() };
    child.send({ ...job.job, id: held.id } satisfies ImageJob);
  };

  return {
    reencode(job) {
      if (closed) return Promise.reject(new Error('the server is stopping'));
      const promise = new Promise<ReencodeOutcome>((resolve, reject) => queued.push({ job, resolve, reject }));
      pump();
      return promise;
    },
    close() {
      closed = true;
      if (idle) clearTimeout(idle);
      child?.kill();
      const stopping = new Error('the server is stopping');
      settle((job) => job.reject(stopping));
      for (const job of queued.splice(0)) job.reject(stopping);
    },
  };
}
