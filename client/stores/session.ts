/** Who we are on this device: the session token and user, kept in IndexedDB. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { nameSchema, parsePayload } from '../../shared/schema';
import { ApiError, createSession } from '../api';
import { clearSession, loadSession, saveSession } from '../db';
import type { Session } from '../models';

export const useSessionStore = defineStore('session', () => {
  const session = ref<Session>();
  const loaded = ref(false);
  const joining = ref(false);
  const joinError = ref('');

  async function load(): Promise<void> {
    session.value = await loadSession();
    loaded.value = true;
  }

  async function join(name: string): Promise<void> {
    const parsed = parsePayload(nameSchema, name);
    if (!parsed.ok) {
      joinError.value = 'Enter a name of 1 to 32 characters.';
      return;
    }
    joining.value = true;
    joinError.value = '';
    try {
      const created = await createSession(parsed.value);
      await saveSession(created);
      session.value = created;
    } catch (error) {
      joinError.value =
        error instanceof ApiError ? error.message : navigator.onLine ? 'Could not reach the server. Try again.' : 'You are offline. Joining needs a connection.';
    } finally {
      joining.value = false;
    }
  }

  /** The server no longer knows our token: ask for a name again, keeping the outbox. */
  async function expire(): Promise<void> {
    await clearSession();
    session.value = undefined;
    joinError.value = 'Your session has expired. Join again to keep chatting; unsent messages are kept.';
  }

  return { session, loaded, joining, joinError, load, join, expire };
});
