/**
 * The newest messages of each room, kept by every server process as the JSON
 * catch-up sends, so a client back from a short absence (the usual reconnect) is
 * served from memory instead of SQL: a 500-message page costs a join of strings
 * instead of ~0.7 ms of SQLite row reads.
 *
 * It is fed by every committed message this process delivers live (its own and
 * other processes'), and holds for each room one run of consecutive seqs. Another
 * process's batch may arrive before an earlier one: such messages wait briefly
 * for the gap to fill, and a gap that does not fill (a process died between
 * commit and broadcast) starts the run over. It answers only full pages inside
 * its run; anything else, the newest partial page included, is read from the store.
 */
import type { Message, RoomId } from '../../shared/protocol';
import type { EncodedPage } from '../store/store';

type Run = {
  /** Seq of entries[0]. */
  first: number;
  entries: string[];
  bytes: number;
  /** Messages past a gap, by seq, until the gap fills. */
  ahead: Map<number, string>;
  /** The room's change rev when the run began: a later change (edit, delete, reaction) may have altered its JSON. */
  rev: number;
};

export type TailCache = {
  /** Takes note of committed messages, in the order this process received them. */
  record(messages: Message[]): void;
  /**
   * The page after `afterSeq` if every one of its `limit` messages is here and no change
   * happened since it was kept (`rev` is the room's current change rev); otherwise null.
   */
  page(room: RoomId, afterSeq: number, limit: number, rev?: number): EncodedPage | null;
  /** A message of `room` changed (that room's rev is now `rev`): what is kept of it is out of date. */
  changed(room: RoomId, rev: number): void;
  /** Forgets everything (an author's name or handle changed: the kept JSON is out of date). */
  clear(): void;
  /** The highest seq of `room` this process has recorded since it started (0: none), evicted or not. */
  latestSeen(room: RoomId): number;
};

export type TailCacheLimits = {
  /** JSON bytes (UTF-16 code units) kept per process. */
  totalBytes: number;
  /** At most this much for any one room. */
  roomBytes: number;
  /** Out-of-order messages held per room before the gap is given up on. */
  maxAhead: number;
};

const DEFAULT_LIMITS: TailCacheLimits = { totalBytes: 32 * 2 ** 20, roomBytes: 8 * 2 ** 20, maxAhead: 2_000 };

export function createTailCache(limits: TailCacheLimits = DEFAULT_LIMITS): TailCache {
  // Map order is recency order: a room that gets a message moves to the end, eviction takes the front.
  const runs = new Map<RoomId, Run>();
  /** The latest change rev seen per room, so a run started now knows what it reflects. */
  const revs = new Map<RoomId, number>();
  /** One number per room that had a message since start: what catch-up asks to skip a read (catch-up.ts). */
  const latest = new Map<RoomId, number>();
  let totalBytes = 0;

  const drop = (room: RoomId) => {
    const run = runs.get(room);
    if (!run) return;
    runs.delete(room);
    totalBytes -= run.bytes;
  };

  const startRun = (room: RoomId, seq: number): Run => {
    const old = runs.get(room);
    if (old) totalBytes -= old.bytes;
    const run: Run = { first: seq, entries: [], bytes: 0, ahead: new Map(), rev: revs.get(room) ?? 0 };
    runs.set(room, run);
    return run;
  };

  const append = (run: Run, json: string) => {
    run.entries.push(json);
    run.bytes += json.length;
    totalBytes += json.length;
  };

  /** Drops the oldest quarter of a run that outgrew its room's share. */
  const trim = (run: Run) => {
    if (run.bytes <= limits.roomBytes) return;
    const drop = Math.ceil(run.entries.length / 4);
    let dropped = 0;
    for (let index = 0; index < drop; index++) dropped += run.entries[index].length;
    run.entries.splice(0, drop);
    run.first += drop;
    run.bytes -= dropped;
    totalBytes -= dropped;
  };

  const add = (message: Message) => {
    if (message.seq > (latest.get(message.room) ?? 0)) latest.set(message.room, message.seq);
    const json = JSON.stringify(message);
    let run = runs.get(message.room);
    if (!run) run = startRun(message.room, message.seq);
    const next = run.first + run.entries.length;
    if (message.seq < next) return;
    if (message.seq > next) {
      if (run.ahead.size < limits.maxAhead) run.ahead.set(message.seq, json);
      else append((run = startRun(message.room, message.seq)), json);
      return;
    }
    append(run, json);
    for (let seq = next + 1, waiting = run.ahead.get(seq); waiting !== undefined; waiting = run.ahead.get(++seq)) {
      run.ahead.delete(seq);
      append(run, waiting);
    }
    trim(run);
  };

  return {
    record(messages) {
      for (const message of messages) add(message);
      for (const message of messages) {
        // Refresh recency once per room and batch, then evict whole rooms, least recent first.
        const run = runs.get(message.room);
        if (run && runs.delete(message.room)) runs.set(message.room, run);
      }
      for (const [room, run] of runs) {
        if (totalBytes <= limits.totalBytes) break;
        runs.delete(room);
        totalBytes -= run.bytes;
      }
    },
    page(room, afterSeq, limit, rev = 0) {
      const run = runs.get(room);
      if (!run) return null;
      if (run.rev !== rev) {
        // A change this process did not hear of (a lost broadcast), or one from before the run: start over.
        drop(room);
        revs.set(room, rev);
        return null;
      }
      const start = afterSeq + 1 - run.first;
      if (start < 0 || start + limit > run.entries.length) return null;
      return { json: `[${run.entries.slice(start, start + limit).join(',')}]`, count: limit, lastSeq: afterSeq + limit };
    },
    changed(room, rev) {
      drop(room);
      revs.set(room, Math.max(rev, revs.get(room) ?? 0));
    },
    clear() {
      runs.clear();
      totalBytes = 0;
    },
    latestSeen: (room) => latest.get(room) ?? 0,
  };
}
