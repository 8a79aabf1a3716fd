/**
 * The service worker's half of the outbox: with no visible page, send queued messages over HTTP,
 * oldest first, with the same clientOffsets. Throwing asks the browser to retry the sync later.
 */
import { postRoomMessage } from './api';
import { loadOutbox, loadSession, storeServerMessages, updateOutgoing } from './db';
import { nextToSend, outcomeOf, unsentMessage } from '../logic/outbox-logic';
import { fromServer } from '../logic/timeline-logic';

export async function flushOutboxInBackground(): Promise<void> {
  const session = await loadSession();
  if (!session) return;
  for (;;) {
    const entry = nextToSend(await loadOutbox());
    if (!entry) return;
    const answer = await postRoomMessage(session.token, { room: entry.room, clientOffset: entry.clientOffset, content: entry.content });
    const outcome = outcomeOf({ kind: 'answer', answer }, 0, 0);
    if (outcome.kind === 'sent') {
      // Stored without moving the cursor: the page's next catch-up fills any gap before it.
      await storeServerMessages([fromServer(outcome.message)], {}, [entry.clientOffset]);
    } else if (outcome.kind === 'failed') {
      const failed = { ...entry, failed: outcome.error };
      await updateOutgoing(failed, unsentMessage(failed, session.user));
    } else {
      throw new Error('the server asked to retry later');
    }
  }
}
