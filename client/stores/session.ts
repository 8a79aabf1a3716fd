/** Who we are on this device: the session token and user, kept in IndexedDB. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError, createSession, renameMe } from '../io/api';
import { clearSession, loadSession, saveSession } from '../io/db';
import type { Session } from '../logic/models';
import { checkNameInput } from '../logic/name-rule';
import { tooManyRequestsText } from '../logic/refusal-logic';

/** A refused HTTP call in words. */
function refusalOf(error: ApiError): string {
  return error.status === 429 ? tooManyRequestsText(error.retryAfterMs) : error.message;
}

export const useSessionStore = defineStore('session', () => {
  const session = ref<Session>();
  const joining = ref(false);
  const joinError = ref('');

  async function load(): Promise<void> {
    session.value = await loadSession();
  }

  async function join(name: string): Promise<void> {
    const checked = checkNameInput(name);
    if (!checked.ok) {
      joinError.value = checked.message;
      return;
    }
    joining.value = true;
    joinError.value = '';
    try {
      const created = await createSession(checked.name);
      await saveSession(created);
      session.value = created;
    } catch (error) {
      joinError.value =
        error instanceof ApiError
          ? refusalOf(error)
          : navigator.onLine
            ? 'Could not reach the server. Try again.'
            : 'You are offline. Joining needs a connection.';
    } finally {
      joining.value = false;
    }
  }

  /** Changes our display name on the server, then on this device; returns why not, or '' when done. */
  async function rename(name: string): Promise<string> {
    const current = session.value;
    const checked = checkNameInput(name);
    if (!checked.ok) return checked.message;
    if (!current) return 'Join first.';
    if (!navigator.onLine) return 'You are offline. Changing your name needs a connection.';
    try {
      const user = await renameMe(current.token, checked.name);
      const next = { token: current.token, user: { id: user.id, name: user.name } };
      await saveSession(next);
      session.value = next;
      return '';
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        await expire();
        return '';
      }
      return error instanceof ApiError ? refusalOf(error) : 'Could not reach the server. Try again.';
    }
  }

  /** The server no longer knows our token: ask for a name again. The outbox stays, but nothing in it is ever sent as the next name. */
  async function expire(): Promise<void> {
    await clearSession();
    session.value = undefined;
    joinError.value = 'Your session has expired. Join again to keep chatting; messages you had not sent stay unsent.';
  }

  return { session, joining, joinError, load, join, rename, expire };
});
