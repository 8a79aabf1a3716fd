/** "Ana joined" / "Bob left" lines per room: in memory only, never stored, the latest few per room. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Notice, RoomId } from '../../shared/protocol';

export type NoticeLine = Notice & { key: string; ts: number };

const KEEP_PER_ROOM = 20;

export const useNoticesStore = defineStore('notices', () => {
  const byRoom = ref<Record<RoomId, NoticeLine[]>>({});
  let counter = 0;

  function add(notice: Notice): void {
    const line: NoticeLine = { ...notice, key: `notice-${++counter}`, ts: Date.now() };
    byRoom.value = { ...byRoom.value, [notice.room]: [...(byRoom.value[notice.room] ?? []), line].slice(-KEEP_PER_ROOM) };
  }

  function of(room: RoomId): NoticeLine[] {
    return byRoom.value[room] ?? [];
  }

  /** The session ended: nothing said to it is kept. */
  function clear(): void {
    byRoom.value = {};
  }

  return { byRoom, add, of, clear };
});
