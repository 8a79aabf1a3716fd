/** PushStore rows as both stores read them (snake_case columns) and the records they become. */
import type { NotificationLevel } from '../../shared/push';
import type { PushJob, PushSubscriptionRecord, PushTarget } from './push-store';

export type SubscriptionRow = { session_id: string; user_id: string; endpoint: string; p256dh: string; auth: string };
export type TargetRow = SubscriptionRow & { level: NotificationLevel | null; handle: string | null; name: string };
export type JobRow = {
  id: number;
  kind: PushJob['kind'];
  room: string;
  seq: number;
  user_id: string | null;
  session_id: string | null;
  payload: string | null;
  attempts: number;
  expires_at: number;
};

export const toSubscription = (row: SubscriptionRow): PushSubscriptionRecord => ({
  sessionId: row.session_id,
  userId: row.user_id,
  endpoint: row.endpoint,
  p256dh: row.p256dh,
  auth: row.auth,
});
export const toTarget = (row: TargetRow): PushTarget => ({ ...toSubscription(row), level: row.level, handle: row.handle, name: row.name });
export const toJob = (row: JobRow): PushJob => ({
  id: row.id,
  kind: row.kind,
  room: row.room,
  seq: row.seq,
  userId: row.user_id,
  sessionId: row.session_id,
  payload: row.payload,
  attempts: row.attempts,
  expiresAt: row.expires_at,
});
