/**
 * What the page starts before Vue is set up: the screen this device most likely shows (the chat,
 * or Join) and, for the chat, the reads of the session and the chat's state. IndexedDB opens and
 * the chunks load while Vue initializes and mounts, instead of after (App.vue waits for them).
 */
import { prefetchSession, readChatRecords } from './io/db';
import { wasSignedIn } from './io/signed-in-hint';

// Each screen is its own chunk: a first visit loads no chat, and a returning device no sign-in.
export const loadChat = () => import('./ChatShell.vue');
export const loadJoin = () => import('./components/JoinScreen.vue');

/** Call before creating the app; the chat state's read needs Pinia, installed by the time its chunk arrives. */
export function startBoot(): void {
  if (!wasSignedIn()) {
    void loadJoin();
    return;
  }
  prefetchSession();
  // Read beside the session, not once the chat's chunk has arrived: the stores take it from there.
  const records = readChatRecords();
  void records.catch(() => undefined); // its failure is the chat's to show, when the chunk hands it over
  void loadChat();
  void import('./chat-state').then(({ prefetchChatState }) => prefetchChatState(records));
}
