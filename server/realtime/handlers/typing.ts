/** `typing`: relayed to the room's other members by the typing relay; no ack. */
import { typingSchema } from '../../../shared/schema';
import { onEvent } from '../on-event';
import type { Budgets } from '../../chat/budgets';
import type { TypingRelay } from '../typing-relay';
import type { ChatSocket } from '../types';

export function registerTypingHandler(socket: ChatSocket, budgets: Budgets, typing: TypingRelay): void {
  onEvent(socket, budgets, 'typing', typingSchema, ({ room, typing: isTyping }) => typing.update(socket, room, isTyping));
}
