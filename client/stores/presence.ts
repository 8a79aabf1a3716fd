/** Who is online, as the server last said; unknown (not stale) while we are not connected. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { User } from '../../shared/protocol';

export const usePresenceStore = defineStore('presence', () => {
  const online = ref<User[]>([]);
  /** False until the first `presence` of a connection, and again once it drops. */
  const known = ref(false);

  function set(users: User[]): void {
    online.value = users;
    known.value = true;
  }

  /** Applies `presence:delta`; a rename arrives as a join of the same id with the new name. */
  function change(joined: User[], left: User[]): void {
    const gone = new Set([...left, ...joined].map((user) => user.id));
    online.value = [...online.value.filter((user) => !gone.has(user.id)), ...joined];
  }

  function forget(): void {
    online.value = [];
    known.value = false;
  }

  return { online, known, set, change, forget };
});
