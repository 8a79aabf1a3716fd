/**
 * What the device search index must learn since it last looked: the rooms whose timeline changed (the
 * stores replace a timeline array, never mutate it, so identity says so), each as the messages a result
 * can open (sent, with text), and the rooms no longer held, so the index learns only what changed.
 */
import type { RoomId } from '../../shared/protocol';
import type { LocalMessage } from './models';

/** A message as the index reads it. */
export type SearchDoc = { key: string; ts: number; content: string };

/** Each changed room with every searchable message it holds now, and the rooms that went. */
export type IndexChanges = { rooms: Array<[RoomId, SearchDoc[]]>; gone: RoomId[] };

/** Sent messages with text: the ones a result can open the room at (by seq). */
function searchable(message: LocalMessage): boolean {
  return message.state === 'sent' && message.seq !== undefined && message.content.length > 0;
}

export class IndexFeed {
  private seen = new Map<RoomId, readonly LocalMessage[]>();

  /** The changes since the last call (nothing when no timeline changed). */
  next(timelines: Iterable<readonly [RoomId, readonly LocalMessage[]]>): IndexChanges {
    const now = new Map<RoomId, readonly LocalMessage[]>();
    const rooms: Array<[RoomId, SearchDoc[]]> = [];
    for (const [room, timeline] of timelines) {
      now.set(room, timeline);
      if (this.seen.get(room) === timeline) continue;
      rooms.push([room, timeline.filter(searchable).map(({ key, ts, content }) => ({ key, ts, content }))]);
    }
    const gone = [...this.seen.keys()].filter((room) => !now.has(room));
    this.seen = now;
    return { rooms, gone };
  }
}
