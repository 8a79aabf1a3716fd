/** `app:visibility` (extension): whether the app on this socket is on screen, for who gets a push. */
import { visibilitySchema } from '../../../shared/push-schema';
import type { Budgets } from '../../chat/budgets';
import { onEvent } from '../on-event';
import type { ChatSocket } from '../types';

export function registerVisibilityHandler(socket: ChatSocket, budgets: Budgets): void {
  onEvent(socket, budgets, 'app:visibility', visibilitySchema, ({ hidden }) => {
    socket.data.hidden = hidden;
  });
}
