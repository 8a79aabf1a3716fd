/** `typing`: relayed to the room's other members by the typing relay; no ack. */
import { typingSchema } from '../../../shared/schema';
import { onEvent } from '../on-event';
import type { TypingRelay } from '../typing-relay';
import type { ChatSocket } from '../types';

export function registerTypingHandler(socket: ChatSocket, typing: TypingRelay): void {
  onEvent(socket, 'typing', typingSchema, ({ room, typing: isTyping }) => typing.update(socket, room, isTyping));
}
