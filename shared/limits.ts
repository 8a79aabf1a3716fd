/** Numbers both sides must agree on. */

export const MAX_CONTENT_CHARS = 4000;
export const MAX_NAME_CHARS = 32;
export const MAX_CLIENT_OFFSET_CHARS = 64;
/** Largest `message:batch` and largest HTTP history page. */
export const BATCH_SIZE = 500;
export const GENERAL_ROOM = 'general';

export const CLIENT_OFFSET_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_ROOM_SLUG_CHARS = 32;
export const ROOM_SLUG_PATTERN = new RegExp(`^[a-z0-9-]{1,${MAX_ROOM_SLUG_CHARS}}$`);
/** User ids are what the server mints (see server/ids); DM ids embed two of them, sorted. */
export const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
export const DM_ROOM_PATTERN = /^dm:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{1,32})$/;

/** Length as a person counts it: code points, so an emoji is one char, not two. */
export function charCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
