/** How a session row reads in both SQL stores and becomes a SessionRecord. */
import type { SessionRecord } from './store';

export type SessionRow = { id: string; user_id: string; device: string; created_at: number; last_seen_at: number };

export function toSession(row: SessionRow): SessionRecord {
  return { id: row.id, userId: row.user_id, device: row.device, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
}
