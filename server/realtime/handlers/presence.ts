/** `presence:list` (extension): names of the people online, for a client in a crowd that was told only how many. */
import { PRESENCE_LIST_PAGE } from '../../../shared/limits';
import { presenceListSchema } from '../../../shared/schema';
import type { Budgets } from '../../chat/budgets';
import { err } from '../../chat/errors';
import { onEvent } from '../on-event';
import type { Presence } from '../presence';
import type { ChatSocket } from '../types';

export function registerPresenceHandler(socket: ChatSocket, budgets: Budgets, presence: () => Presence | undefined): void {
  onEvent(socket, budgets, 'presence:list', presenceListSchema, ({ query }) => {
    const now = presence();
    if (!now) return { ok: false, error: err('unavailable', 'presence is starting; try again in a moment') };
    return { ok: true, ...now.list(query ?? '', PRESENCE_LIST_PAGE) };
  });
}
