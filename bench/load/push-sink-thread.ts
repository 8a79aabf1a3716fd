/**
 * The loopback push service on a thread of its own (push-job.ts starts it): decrypting a thousand
 * pushes a second must not delay the load process's event loop, where the other senders' acks
 * are timed. It stands in for a service on another machine, so it runs at the lowest priority
 * (a Linux nice value is per thread): its decryption does not take the cores from the server's
 * event loops either. Answers each `stats` request with what it counted; times are epoch ms.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { startPushSink } from './push-sink';

export type SinkStats = {
  accepted: number;
  firstAt: number | null;
  lastAt: number | null;
  duplicates: number;
  faults: string[];
  faultCount: number;
};

try {
  setPriority(19);
} catch {
  // Not permitted here: it runs at normal priority.
}
const { port, seed, members } = workerData as { port: number; seed: string; members: number };
const sink = await startPushSink(port, seed, members);
parentPort?.on('message', (message: string) => {
  if (message === 'close') {
    void sink.close().then(() => process.exit(0));
    return;
  }
  const stats: SinkStats = {
    accepted: sink.accepted(),
    firstAt: sink.firstAt,
    lastAt: sink.lastAt,
    duplicates: sink.duplicates,
    faults: sink.faults.slice(0, 5),
    faultCount: sink.faults.length,
  };
  parentPort?.postMessage(stats);
});
parentPort?.postMessage('ready');
