/**
 * Who of a room's subscribed devices gets a push for a message: the person's level for the room
 * (or its default) and whether the message mentions them. Devices with the app open are taken
 * out afterwards (push/sender.ts asks the sockets).
 */
import { defaultLevel, mentionedHandles, namesPerson } from '../../shared/push';
import type { Message } from '../../shared/protocol';
import type { PushTarget } from '../store/push-store';

export type Recipient = { target: PushTarget; mention: boolean };

/** A mention always notifies unless the room is muted; `all` notifies everything; `mentions` only mentions. */
export function recipientsOf(message: Pick<Message, 'room' | 'content'>, targets: readonly PushTarget[]): Recipient[] {
  const handles = mentionedHandles(message.content);
  const fallback = defaultLevel(message.room);
  const recipients: Recipient[] = [];
  for (const target of targets) {
    const level = target.level ?? fallback;
    if (level === 'muted') continue;
    const mention = target.handle !== null ? handles.has(target.handle) : namesPerson(message.content, target.name);
    if (level === 'all' || mention) recipients.push({ target, mention });
  }
  return recipients;
}
