/** Who may claim which @handle: unique on the server (the store's index decides races), never a reserved word. */
import type { Store } from '../store/store';

/** Words that would let a handle pass for the system, staff, or a mention of everyone. */
export const RESERVED_HANDLES: ReadonlySet<string> = new Set([
  'admin',
  'administrator',
  'all',
  'api',
  'bot',
  'channel',
  'chat',
  'everyone',
  'general',
  'help',
  'here',
  'me',
  'mod',
  'moderator',
  'moderators',
  'null',
  'official',
  'offline_chat',
  'owner',
  'root',
  'room',
  'security',
  'server',
  'staff',
  'support',
  'system',
  'team',
  'undefined',
  'you',
]);

export type HandleClaim = { ok: true } | { ok: false; reason: 'reserved' | 'taken' };

/** `handle` is already lower-case and of the right shape (shared/schema.ts handleSchema). */
export async function claimHandle(store: Store, userId: string, handle: string): Promise<HandleClaim> {
  if (RESERVED_HANDLES.has(handle)) return { ok: false, reason: 'reserved' };
  return (await store.claimHandle(userId, handle)) ? { ok: true } : { ok: false, reason: 'taken' };
}
