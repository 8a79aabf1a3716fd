/**
 * The chat's part in the end of a session (stores/account.ts): stop the socket and the outbox, and
 * forget every chat store's state. Loaded with the chat (ChatShell.vue), not with the account store,
 * so a first visit's Join screen loads none of the chat to sign in.
 */
import { useConnectionStore } from './connection';
import { useMessagesStore } from './messages';
import { useNoticesStore } from './notices';
import { useOutboxStore } from './outbox';
import { usePresenceStore } from './presence';
import { useReceiptsStore } from './receipts';
import { useRoomsStore } from './rooms';
import { useTypingStore } from './typing';

/** Nothing more goes out, and no server event comes in. */
export function haltChat(): void {
  useConnectionStore().stop();
  useOutboxStore().stop();
}

/**
 * Every chat store back to empty, in the same turn as the session is forgotten; resolves once the
 * messages store's writes under way are done. The outbox shows no entries until the device is wiped
 * (without a session each would read as "not sent — signed out", even those a sign-out deletes).
 */
export async function forgetChat(): Promise<void> {
  useOutboxStore().clear();
  usePresenceStore().forget();
  useTypingStore().clear();
  useNoticesStore().clear();
  useRoomsStore().reset();
  useReceiptsStore().reset();
  await useMessagesStore().reset();
}
