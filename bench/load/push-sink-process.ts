/**
 * The loopback push service in a process of its own (push-job.ts forks it). It stands in for a
 * service on other machines, so its CPU must not count against the server whose ack latency is
 * measured, nor delay the load process's event loop, where those acks are timed. On one machine
 * that takes more than a thread at nice 19: Linux schedules by session (autogroup) first, so a
 * thread of the load process spends the load process's share, and at a thousand pushes a second
 * that share is half a core taken from the server. So it is forked as the server's push senders
 * are (forkAtIdlePriority: the idle scheduling class, any core), detached, and lowers itself where
 * that launch is not available.
 * Answers each `stats` request with what it counted this round (after a `verify`, with the faults of
 * every push taken; after a `round`, starting the next message's count); times are epoch ms.
 */
import { lowerOwnPriority } from '../../server/fork-at-idle-priority';
import { startPushSink } from './push-sink';

export type SinkStats = {
  accepted: number;
  firstAt: number | null;
  lastAt: number | null;
  duplicates: number;
  faults: string[];
  faultCount: number;
};

export type SinkRequest = 'stats' | 'verify' | 'round' | 'close';
export type SinkStart = { port: number; seed: string; members: number };

lowerOwnPriority({ sessionGroup: true });

const { port, seed, members } = JSON.parse(process.argv[2] ?? '{}') as SinkStart;
const sink = await startPushSink(port, seed, members);
process.on('message', (message: SinkRequest) => {
  if (message === 'close') {
    void sink.close().then(() => process.exit(0));
    return;
  }
  if (message === 'verify') sink.verify();
  if (message === 'round') sink.nextRound();
  const stats: SinkStats = {
    accepted: sink.accepted(),
    firstAt: sink.firstAt,
    lastAt: sink.lastAt,
    duplicates: sink.duplicates,
    faults: sink.faults.slice(0, 5),
    faultCount: sink.faults.length,
  };
  process.send?.(stats);
});
// The load process is gone: nothing left to answer to.
process.on('disconnect', () => process.exit(0));
process.send?.('ready');
