/**
 * The service worker's half of the outbox: with no visible page, send the signed-in person's queued
 * messages over HTTP, oldest first, with the same clientOffsets. Entries written by anyone else (a
 * session that ended) are never sent. HTTP carries plain messages only: at the first reply, edit,
 * delete, reaction or message carrying files it stops, and the page sends the rest in order over the socket. Throwing asks the
 * browser to retry the sync later.
 */
import type { Ack, Message } from '../../shared/protocol';
import { ApiError, postRoomMessage } from './api';
import { loadOutbox, loadSession, storeServerMessages, updateOutgoing } from './db';
import type { SendEntry, Session } from '../logic/models';
import { nextToSend, outcomeOf, unsentMessage } from '../logic/outbox-logic';
import { fromServer } from '../logic/timeline-logic';

export async function flushOutboxInBackground(): Promise<void> {
  for (;;) {
    // Read again before every send: a page may have signed out meanwhile.
    const session = await loadSession();
    const entry = session && nextToSend(await loadOutbox(), session.user.id);
    // Files need the page's resumable upload first: the page sends those, and everything after them, in order.
    if (!session || !entry || entry.kind !== 'send' || entry.replyTo || entry.files) return;
    const answer = await post(session, entry);
    // The session has ended: nothing more is sent as this person; the page says so when it next opens.
    if (answer === 'session-ended') return;
    const outcome = outcomeOf({ kind: 'answer', answer }, 0, 0);
    if (outcome.kind === 'sent' && outcome.message) {
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

async function post(session: Session, entry: SendEntry): Promise<Ack<{ message: Message }> | 'session-ended'> {
  try {
    return await postRoomMessage(session.token, { room: entry.room, clientOffset: entry.clientOffset, content: entry.content });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return 'session-ended';
    throw error;
  }
}
