/** Signing out and the end of a session, in words; and which of the device's caches may hold private data. */
import type { RoomId } from '../../shared/protocol';
import { isDmRoom } from '../../shared/limits';

/** The question before a sign-out that would delete unsent messages. */
export function unsentLossText(count: number): string {
  return count === 1
    ? '1 message has not been sent. Signing out deletes it from this device and it will never be sent.'
    : `${count} messages have not been sent. Signing out deletes them from this device and they will never be sent.`;
}

/** Above the messages a session that ended left unsent. */
export function signedOutLeadText(count: number): string {
  return count === 1
    ? 'It was written before this device was signed out, so it will never be sent. Copy what you still need, then delete it.'
    : 'They were written before this device was signed out, so they will never be sent. Copy what you still need, then delete them.';
}

/** How this device's session ended, as the Join screen tells it. */
export type SessionEnd =
  /** The person signed out here and the server has forgotten the token. */
  | 'signed-out'
  /** The person signed out here while offline: the server is told when the app is next online. */
  | 'signed-out-offline'
  /** Another tab of the app signed out. */
  | 'signed-out-in-other-tab'
  /** The server no longer knows the token: it expired, or was revoked. */
  | 'ended';

export function sessionEndText(end: SessionEnd, draftsDeleted = 0): string {
  switch (end) {
    case 'signed-out':
      return 'You signed out. Nothing of yours is left on this device.';
    case 'signed-out-offline':
      return 'You signed out on this device. You were offline, so the server has not been told yet: it will be, the next time this app is online here.';
    case 'signed-out-in-other-tab':
      return 'You signed out in another tab.';
    case 'ended': {
      const drafts =
        draftsDeleted === 0
          ? ''
          : draftsDeleted === 1
            ? ' Your unsent draft was deleted.'
            : ` Your ${draftsDeleted} unsent drafts were deleted.`;
      return `Your session has ended: it expired, or this device was signed out elsewhere. Join again to keep chatting.${drafts}`;
    }
  }
}

/** Where a message was queued, without the DM peer's name (the rooms list of an ended session is gone). */
export function queuedRoomLabel(room: RoomId): string {
  return isDmRoom(room) ? 'a private conversation' : `# ${room}`;
}

/** Workbox's precache holds the app shell only (no one's data), so sign-out keeps it and the app still opens offline. */
export function isAppShellCache(name: string): boolean {
  return name.startsWith('workbox-precache');
}
