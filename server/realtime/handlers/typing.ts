/** `typing`: relayed to the room's other members by the typing relay; no ack. */
import { typingSchema } from '../../../shared/schema';
import { eventListener, type SocketListener } from '../on-event';
import type { Budgets } from '../../chat/budgets';
import type { TypingRelay } from '../typing-relay';

export function typingListener(budgets: Budgets, typing: TypingRelay): SocketListener {
  return eventListener(budgets, 'typing', typingSchema, (socket, { room, typing: isTyping }) => typing.update(socket, room, isTyping));
}
