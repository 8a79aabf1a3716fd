/** Who is online, as the server last said; unknown (not stale) while we are not connected. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { PresenceList, User } from '../../shared/protocol';
import { ACK_TIMEOUT_MS } from '../logic/outbox-logic';
import { liveSocket } from '../realtime/live-socket';

export const usePresenceStore = defineStore('presence', () => {
  const online = ref<User[]>([]);
  /** In a crowd the server says how many are online, not who (`presence:count`); null while `online` is the whole list. */
  const count = ref<number | null>(null);
  /** False until the first `presence` or `presence:count` of a connection, and again once it drops. */
  const known = ref(false);

  function set(users: User[]): void {
    online.value = users;
    count.value = null;
    known.value = true;
  }

  /** Applies `presence:delta`; a rename arrives as a join of the same id with the new name. */
  function change(joined: User[], left: User[]): void {
    const gone = new Set([...left, ...joined].map((user) => user.id));
    online.value = [...online.value.filter((user) => !gone.has(user.id)), ...joined];
  }

  /** `presence:count`: a crowd; the names are asked for (`lookup`) when they are shown. */
  function setCount(total: number): void {
    online.value = [];
    count.value = total;
    known.value = true;
  }

  /** How many others are online (we are one of the crowd the server counts). */
  function othersOnline(ownId: string): number {
    return count.value === null ? online.value.filter((user) => user.id !== ownId).length : Math.max(0, count.value - 1);
  }

  /** Names in a crowd, by name, those matching `query`; null when offline or refused. */
  async function lookup(query: string): Promise<PresenceList | null> {
    const chat = liveSocket();
    if (!chat) return null;
    const answer = await chat
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('presence:list', query ? { query } : {})
      .catch(() => null);
    return answer?.ok ? { online: answer.online, total: answer.total } : null;
  }

  function forget(): void {
    online.value = [];
    count.value = null;
    known.value = false;
  }

  return { online, count, known, set, change, setCount, othersOnline, lookup, forget };
});
