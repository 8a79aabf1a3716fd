/** `message:edit`, `message:delete` and `reaction:set`: changes through the shared change path, acked with the stored change. */
import { deleteSchema, editSchema, reactionSchema } from '../../../shared/schema';
import { changeMessage } from '../../chat/change-message';
import { onEvent } from '../on-event';
import type { ChatSocket, HandlerDeps } from '../types';

export function registerChangeHandlers(socket: ChatSocket, deps: HandlerDeps): void {
  // Read per event, not captured: a rename replaces socket.data.user.
  const me = () => socket.data.user;
  const answer = (outcome: Awaited<ReturnType<typeof changeMessage>>) =>
    outcome.ok ? { ok: true as const, change: outcome.change } : outcome;

  onEvent(socket, deps.budgets, 'message:edit', editSchema, async (payload) =>
    answer(await changeMessage(deps, { kind: 'edit', ...payload, author: me() })),
  );
  onEvent(socket, deps.budgets, 'message:delete', deleteSchema, async (payload) =>
    answer(await changeMessage(deps, { kind: 'delete', ...payload, author: me() })),
  );
  onEvent(socket, deps.budgets, 'reaction:set', reactionSchema, async (payload) =>
    answer(await changeMessage(deps, { kind: 'react', ...payload, author: me() })),
  );
}
