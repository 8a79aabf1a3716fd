/**
 * Whether this device had a session when the app last ran, kept in localStorage because it reads
 * synchronously: at start the app fetches the screen it will most likely show (the chat, or Join)
 * while IndexedDB, which holds the session itself, is still being read. Only a hint: a wrong
 * guess costs one fetch, never what is shown.
 */
/** Also read by index.html's inline script, which cannot import it. */
export const SIGNED_IN_HINT_KEY = 'chat:signed-in';

export function wasSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_HINT_KEY) === '1';
  } catch {
    return false; // storage blocked: guess a first visit
  }
}

export function rememberSignedIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_HINT_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_HINT_KEY);
  } catch {
    // storage blocked or full: the next start guesses, and loads the other screen when it guessed wrong
  }
}
