/** `presence:list` (extension): names of the people online, for a client in a crowd that was told only how many. */
import { PRESENCE_LIST_PAGE } from '../../../shared/limits';
import { presenceListSchema } from '../../../shared/schema';
import type { Budgets } from '../../chat/budgets';
import { err } from '../../chat/errors';
import { eventListener, type SocketListener } from '../on-event';
import type { Presence } from '../presence';

export function presenceListListener(budgets: Budgets, presence: () => Presence | undefined): SocketListener {
  return eventListener(budgets, 'presence:list', presenceListSchema, (_socket, { query }) => {
    const now = presence();
    if (!now) return { ok: false, error: err('unavailable', 'presence is starting; try again in a moment') };
    return { ok: true, ...now.list(query ?? '', PRESENCE_LIST_PAGE) };
  });
}
