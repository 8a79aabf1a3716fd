/**
 * A room's notification level (#16) for the settings sheet: read from the server, changed there
 * (the same on all the person's devices), a failure said in words. Loaded with the sheet only.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { RoomId } from '../../shared/protocol';
import type { NotificationLevel } from '../../shared/push';
import { ApiError } from '../io/api';
import { fetchRoomNotifications, saveRoomNotifications } from '../io/push-api';
import { useSessionStore } from './session';

function explain(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return navigator.onLine ? 'The server did not answer. Try again.' : 'You are offline. This setting needs a connection.';
}

export const useRoomNotificationsStore = defineStore('room-notifications', () => {
  const session = useSessionStore();
  const room = ref<RoomId>();
  /** Undefined until the server answered for `room`. */
  const level = ref<NotificationLevel>();
  const saving = ref(false);
  const saved = ref(false);
  const problem = ref('');

  async function load(next: RoomId): Promise<void> {
    room.value = next;
    level.value = undefined;
    saved.value = false;
    problem.value = '';
    const token = session.session?.token;
    if (!token) return;
    try {
      const answer = await fetchRoomNotifications(token, next);
      if (room.value === next) level.value = answer.level;
    } catch (error) {
      if (room.value === next) problem.value = explain(error);
    }
  }

  /** Shows the choice at once; back to what it was if the server did not take it. */
  async function choose(next: NotificationLevel): Promise<void> {
    const token = session.session?.token;
    const asked = room.value;
    if (!token || !asked) return;
    const before = level.value;
    level.value = next;
    saving.value = true;
    saved.value = false;
    problem.value = '';
    try {
      const answer = await saveRoomNotifications(token, asked, next);
      if (room.value !== asked) return;
      level.value = answer.level;
      saved.value = true;
    } catch (error) {
      if (room.value !== asked) return;
      level.value = before;
      problem.value = explain(error);
    } finally {
      saving.value = false;
    }
  }

  return { level, saving, saved, problem, load, choose };
});
