/** `message:edit`, `message:delete` and `reaction:set`: changes through the shared change path, acked with the stored change. */
import { deleteSchema, editSchema, reactionSchema } from '../../../shared/schema';
import { changeMessage } from '../../chat/change-message';
import { eventListener, type SocketListener } from '../on-event';
import type { HandlerDeps } from '../types';

export function changeListeners(deps: HandlerDeps): SocketListener[] {
  // socket.data.user is read per event, not captured: a rename replaces it.
  const answer = (outcome: Awaited<ReturnType<typeof changeMessage>>) =>
    outcome.ok ? { ok: true as const, change: outcome.change } : outcome;

  return [
    eventListener(deps.budgets, 'message:edit', editSchema, async (socket, payload) =>
      answer(await changeMessage(deps, { kind: 'edit', ...payload, author: socket.data.user })),
    ),
    eventListener(deps.budgets, 'message:delete', deleteSchema, async (socket, payload) =>
      answer(await changeMessage(deps, { kind: 'delete', ...payload, author: socket.data.user })),
    ),
    eventListener(deps.budgets, 'reaction:set', reactionSchema, async (socket, payload) =>
      answer(await changeMessage(deps, { kind: 'react', ...payload, author: socket.data.user })),
    ),
  ];
}
