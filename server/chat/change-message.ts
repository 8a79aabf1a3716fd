/**
 * The one path every change takes (edit, delete, reaction), like send-message.ts
 * for sends: access to the room, the store's rules and idempotent commit, then a
 * single broadcast of what is new. Budgets are charged at the edge.
 */
import type { Err, MessageChange } from '../../shared/protocol';
import type { NewChange } from '../store/store';
import { accessTo } from './access';
import { err } from './errors';
import { refusalOrFault, type SendDeps } from './send-message';

export type ChangeDeps = Pick<SendDeps, 'store'> & {
  /** Emits `message:change` to every member's sockets on every worker. */
  publishChange(change: MessageChange): void;
};

export type ChangeOutcome = { ok: true; change: MessageChange; created: boolean } | { ok: false; error: Err };

export async function changeMessage(deps: ChangeDeps, input: NewChange): Promise<ChangeOutcome> {
  try {
    const access = await accessTo(deps.store, input.author.id, input.room);
    if (access === 'forbidden') return { ok: false, error: err('forbidden', `you may not change messages in ${input.room}`) };
    if (access === 'public') return { ok: false, error: err('forbidden', `join ${input.room} (room:join) before reacting in it`) };
    const { change, created } = await deps.store.applyChange(input);
    if (created) deps.publishChange(change);
    return { ok: true, change, created };
  } catch (error) {
    return { ok: false, error: refusalOrFault(error) };
  }
}
