/**
 * This server process's image process (image-process.ts): forked on the first image, stopped
 * after a quiet minute, so a server that receives no photos holds none. Jobs queue there one at
 * a time; one that dies with the process fails, and its finalize answers `unavailable` (retry).
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forkAtIdlePriority, probeIdlePriority } from '../fork-at-idle-priority';
import { log } from '../observe/log';
import type { ImageAnswer, ImageJob } from './image-process';
import type { ReencodeJob, ReencodeOutcome } from './reencode';

const IDLE_STOP_MS = 60_000;

/** Built: a file under media/ beside the bundle's chunks; from source (in-process tests, tsx), the .ts next to this one. */
function startProcess(): ChildProcess {
  const here = import.meta.url;
  const built = !here.endsWith('.ts');
  const script = fileURLToPath(built ? new URL('./media/image-process.js', here) : new URL('./image-process.ts', here));
  return forkAtIdlePriority(script, [], { serialization: 'advanced', execArgv: built ? [] : ['--import', 'tsx'] });
}

type Waiting = { resolve(outcome: ReencodeOutcome): void; reject(error: Error): void };

export type ImageWorker = { reencode(job: ReencodeJob): Promise<ReencodeOutcome>; close(): void };

export function createImageWorker(): ImageWorker {
  void probeIdlePriority();
  let child: ChildProcess | null = null;
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  let idle: NodeJS.Timeout | null = null;

  const failAll = (reason: string) => {
    for (const [id, job] of waiting) {
      waiting.delete(id);
      job.reject(new Error(reason));
    }
  };

  const start = (): ChildProcess => {
    const started = startProcess();
    started.on('message', (answer: ImageAnswer) => {
      const job = waiting.get(answer.id);
      waiting.delete(answer.id);
      if ('error' in answer) job?.reject(new Error(answer.error));
      else job?.resolve(answer.outcome);
      if (waiting.size === 0) idleSoon();
    });
    started.on('error', (error) => log.warn(`media: the image process failed: ${error.message}`));
    started.on('exit', () => {
      if (child === started) child = null;
      failAll('the image process stopped');
    });
    started.unref();
    return started;
  };

  const idleSoon = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      if (waiting.size === 0) child?.kill();
    }, IDLE_STOP_MS);
    idle.unref();
  };

  return {
    reencode(job) {
      child ??= start();
      const id = nextId++;
      const promise = new Promise<ReencodeOutcome>((resolve, reject) => waiting.set(id, { resolve, reject }));
      child.send({ ...job, id } satisfies ImageJob);
      return promise;
    },
    close() {
      if (idle) clearTimeout(idle);
      child?.kill();
      failAll('the server is stopping');
    },
  };
}
