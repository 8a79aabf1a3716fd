/** Who we are on this device: the session token and user, as IndexedDB holds them. Joining, renaming and signing out are the account store's. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { loadSession, saveSession } from '../io/db';
import { rememberSignedIn } from '../io/signed-in-hint';
import type { Session } from '../logic/models';

export const useSessionStore = defineStore('session', () => {
  const session = ref<Session>();

  async function load(): Promise<void> {
    session.value = await loadSession();
    rememberSignedIn(session.value !== undefined);
  }

  /** Stores a new or renamed session, then shows it. */
  async function save(next: Session): Promise<void> {
    await saveSession(next);
    session.value = next;
    rememberSignedIn(true);
  }

  /** The session ended (its stored copy is the account store's to wipe): nobody is signed in here now. */
  function forget(): void {
    session.value = undefined;
    rememberSignedIn(false);
  }

  return { session, load, save, forget };
});
