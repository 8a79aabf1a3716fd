/** `app:visibility` (extension): whether the app on this socket is on screen, for who gets a push. */
import { visibilitySchema } from '../../../shared/push-schema';
import type { Budgets } from '../../chat/budgets';
import { eventListener, type SocketListener } from '../on-event';

export function visibilityListener(budgets: Budgets): SocketListener {
  return eventListener(budgets, 'app:visibility', visibilitySchema, (socket, { hidden }) => {
    socket.data.hidden = hidden;
  });
}
