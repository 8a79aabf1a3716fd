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

  function forget(): void {
    online.value = [];
    known.value = false;
  }

  return { online, known, set, forget };
});
