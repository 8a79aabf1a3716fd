/**
 * Extension (Web Push, #16): what a push carries to the service worker, the notification
 * levels, and which `@handle`s a message mentions, read the same way by the server (who gets a
 * push) and the PWA (highlighting).
 */
import { isDmRoom, MAX_HANDLE_CHARS, MIN_HANDLE_CHARS, type NOTIFICATION_LEVELS } from './limits';
import type { Message, RoomId } from './protocol';

export type NotificationLevel = (typeof NOTIFICATION_LEVELS)[number];

/** `GET/PUT /api/rooms/:room/notifications`: the person's level, and whether it is the room's default. */
export type RoomNotifications = { room: RoomId; level: NotificationLevel; isDefault: boolean };

/** `GET /api/push/key`: the VAPID public key, the `applicationServerKey` of `pushManager.subscribe`. */
export type PushKey = { publicKey: string };

/** The message as a push carries it: no reactions or reply preview, its content possibly cut, its attachments when they fit. */
export type PushedMessage = Pick<Message, 'id' | 'room' | 'seq' | 'author' | 'clientOffset' | 'content' | 'ts' | 'attachments'>;

/**
 * `message`: a new message; `complete` is false when its content was cut to fit the 4 KB a
 * push may carry (then the device shows it but does not store it as the message).
 * `read`: the person read `room` up to `seq` on another device: close its notifications.
 */
export type PushPayload =
  | {
      kind: 'message';
      message: PushedMessage;
      complete: boolean;
      mention: boolean;
      /** Extension (#18): when the attachments did not fit, only their names (and `complete` is false). */
      attachmentNames?: string[];
    }
  | { kind: 'read'; room: RoomId; seq: number };

/** DMs tell everything; a public room only what names you, unless you ask for more. */
export function defaultLevel(room: RoomId): NotificationLevel {
  return isDmRoom(room) ? 'all' : 'mentions';
}

const MENTION = new RegExp(`(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{${MIN_HANDLE_CHARS},${MAX_HANDLE_CHARS}})(?![A-Za-z0-9_])`, 'g');

/** The lower-case handles `@mentioned` in a text (an e-mail address is not a mention). */
export function mentionedHandles(content: string): Set<string> {
  const handles = new Set<string>();
  for (const match of content.matchAll(MENTION)) handles.add(match[1].toLowerCase());
  return handles;
}

/**
 * `@Display Name` counts for people without a handle yet, matched whole and without regard to
 * case (the PWA's autocomplete writes it so for them).
 */
export function namesPerson(content: string, name: string): boolean {
  const lower = content.toLowerCase();
  const wanted = `@${name.toLowerCase()}`;
  for (let at = lower.indexOf(wanted); at !== -1; at = lower.indexOf(wanted, at + 1)) {
    const after = lower.charAt(at + wanted.length);
    if (!/[\p{L}\p{N}_]/u.test(after)) return true;
  }
  return false;
}
