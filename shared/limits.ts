/** Numbers both sides must agree on, each written once; the patterns and messages are built from them. */

export const MAX_CONTENT_CHARS = 4000;
export const MAX_NAME_CHARS = 32;
export const MAX_CLIENT_OFFSET_CHARS = 64;
export const MAX_ROOM_SLUG_CHARS = 32;
/** User ids are what the server mints (chat/identity.ts, 12 chars); this bounds what a client may send. */
export const MAX_USER_ID_CHARS = 32;
/** Handles are 3–24 of [a-z0-9_], unique without regard to case (stored lower-case). */
export const MIN_HANDLE_CHARS = 3;
export const MAX_HANDLE_CHARS = 24;
export const HANDLE_PATTERN = new RegExp(`^[a-z0-9_]{${MIN_HANDLE_CHARS},${MAX_HANDLE_CHARS}}$`);
/** Device-link codes: unambiguous letters and digits (no 0/O, 1/I/L), dashed in the middle for reading aloud. */
export const LINK_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const LINK_CODE_CHARS = 8;

/** Most rooms one `cursors` map (handshake or `sync`) may name; above any user's room cap. */
export const MAX_CURSOR_KEYS = 1000;
/** Longest bearer token the server will even look up (ours are 43 characters). */
export const MAX_TOKEN_CHARS = 200;
/** Largest `message:batch` and largest HTTP history page. */
export const BATCH_SIZE = 500;
/**
 * Presence in a crowd (`auth.presence: 'bounded'`): with more people online than this, the
 * client is told how many, not who (a list per newcomer is O(online²) in a connection storm),
 * and asks `presence:list` for names when it shows them.
 */
export const PRESENCE_LIST_LIMIT = 200;
/** At most this many names in one `presence:list` answer (by name; `query` narrows it). */
export const PRESENCE_LIST_PAGE = 500;
export const MAX_PRESENCE_QUERY_CHARS = 64;
export const GENERAL_ROOM = 'general';
/** Extension: how loudly a room notifies a person (DMs default to all, public rooms to mentions). */
export const NOTIFICATION_LEVELS = ['all', 'mentions', 'muted'] as const;
/** Longest push endpoint URL accepted (the push services' are about 200-500 characters). */
export const MAX_PUSH_ENDPOINT_CHARS = 1024;

const USER_ID = `[A-Za-z0-9_-]{1,${MAX_USER_ID_CHARS}}`;
export const CLIENT_OFFSET_PATTERN = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CLIENT_OFFSET_CHARS}}$`);
export const ROOM_SLUG_PATTERN = new RegExp(`^[a-z0-9-]{1,${MAX_ROOM_SLUG_CHARS}}$`);
export const USER_ID_PATTERN = new RegExp(`^${USER_ID}$`);
/** DM ids embed the two user ids, sorted. */
export const DM_ROOM_PATTERN = new RegExp(`^dm:(${USER_ID}):(${USER_ID})$`);
/** A direct conversation's room, as opposed to a public one (`general` and slugs). */
export const isDmRoom = (room: string): boolean => DM_ROOM_PATTERN.test(room);

/** Length as a person counts it: code points, so an emoji is one char, not two. */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Messages a room without a cursor gets on a first sync (the server's default `CHAT_HISTORY_WINDOW`). */
export const DEFAULT_HISTORY_WINDOW = 50;
/** Messages a room with a cursor gets per catch-up before it is sent its newest window instead (default `CHAT_CATCHUP_CAP`). */
export const DEFAULT_CATCHUP_CAP = 5000;

/** Extension (attachments): files one message may carry. */
export const MAX_ATTACHMENTS = 10;
/** Longest attachment file name kept (code points); longer names are cut, keeping the extension. */
export const MAX_ATTACHMENT_NAME_CHARS = 255;
/** Attachment ids are the lowercase hex SHA-256 of the stored bytes. */
export const ATTACHMENT_ID_PATTERN = /^[0-9a-f]{64}$/;
/** tus upload ids (the last segment of the upload URL) as this server mints them; bounds what a client may send. */
export const UPLOAD_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** Largest file the server accepts (the server's default `CHAT_ATTACHMENT_MAX_BYTES`): 25 MiB. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024;
/** tus chunk the PWA sends: a dropped connection loses at most this much. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;
/** An upload not finished within this long is removed by the server. */
export const UPLOAD_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** Client-side image resize before queueing: longest side in px, and encoder quality (0..1). */
export const IMAGE_MAX_SIDE = 2048;
export const IMAGE_QUALITY = 0.85;
/** Longest side of the server's webp thumbnail. */
export const THUMB_MAX_SIDE = 320;
/** Images the server re-encodes, thumbnails and placeholders. */
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif'] as const;
/** Types accepted when `CHAT_ATTACHMENT_TYPES` is unset (checked against the bytes). */
export const DEFAULT_ATTACHMENT_TYPES = [
  ...IMAGE_TYPES,
  'application/pdf',
  'application/zip',
  'audio/mpeg',
  'audio/ogg',
  'audio/mp4',
  'video/mp4',
  'video/webm',
  'text/plain',
] as const;
