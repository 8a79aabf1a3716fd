/**
 * What a push says, within what a push may carry: 4096 bytes encrypted, of which aes128gcm's
 * header (86), tag (16) and padding delimiter (1) take 103. Attachments that do not fit become
 * their names, then the content is cut (at a character boundary) until the JSON fits; such a
 * push says `complete: false`.
 */
import { createHash } from 'node:crypto';
import type { PushPayload, PushedMessage } from '../../shared/push';
import type { Message, RoomId } from '../../shared/protocol';

export const MAX_PUSH_PLAINTEXT_BYTES = 4096 - 103;

export function messagePayload(message: Message, mention: boolean): string {
  const pushed: PushedMessage = {
    id: message.id,
    room: message.room,
    seq: message.seq,
    author: message.author,
    clientOffset: message.clientOffset,
    content: message.content,
    ts: message.ts,
  };
  if (message.attachments) pushed.attachments = message.attachments;
  const whole = JSON.stringify({ kind: 'message', message: pushed, complete: true, mention } satisfies PushPayload);
  if (Buffer.byteLength(whole) <= MAX_PUSH_PLAINTEXT_BYTES) return whole;
  // Attachments that do not fit travel as their names; the device fetches the message for the rest.
  const { attachments, ...withoutAttachments } = pushed;
  const names = attachments ? { attachmentNames: attachments.map((attachment) => attachment.name) } : {};
  const encode = (content: string) =>
    JSON.stringify({
      kind: 'message',
      message: { ...withoutAttachments, content },
      complete: false,
      mention,
      ...names,
    } satisfies PushPayload);
  let json = encode(message.content);
  // JSON escapes can make a character cost up to 6 bytes (\u0000): cut by measuring, halving the overshoot.
  const chars = [...message.content];
  let keep = chars.length;
  while (Buffer.byteLength(json) > MAX_PUSH_PLAINTEXT_BYTES && keep > 0) {
    const over = Buffer.byteLength(json) - MAX_PUSH_PLAINTEXT_BYTES;
    keep = Math.max(0, keep - Math.max(1, Math.ceil(over / 6)));
    json = encode(`${chars.slice(0, keep).join('')}…`);
  }
  return json;
}

export function readPayload(room: RoomId, seq: number): string {
  return JSON.stringify({ kind: 'read', room, seq } satisfies PushPayload);
}

/**
 * The `Topic` of a room's pushes: a push service keeps only the newest undelivered push per
 * topic, so a burst reaches an offline phone as one. At most 32 URL-safe base64 characters,
 * and a hash, so the room's name does not travel in a header.
 */
export function pushTopic(room: RoomId): string {
  return createHash('sha256').update(room).digest('base64url').slice(0, 32);
}
