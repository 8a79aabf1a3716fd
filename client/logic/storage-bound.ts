/** How much of each room the device keeps, and how the storage it uses is said. */
import type { LocalMessage } from './models';

/**
 * At most this many sent messages per room stay on the device (build-time `VITE_ROOM_MESSAGE_LIMIT`).
 * Older ones are evicted; they can be fetched again with "load older" when online.
 */
export const DEFAULT_ROOM_MESSAGE_LIMIT = 1000;

export function roomMessageLimit(configured: string | undefined): number {
  const parsed = Number(configured);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : DEFAULT_ROOM_MESSAGE_LIMIT;
}

/**
 * The keys of a room's messages to evict so at most `limit` sent ones stay: the lowest seqs first.
 * Pending and failed messages (still in the outbox) are never evicted, nor counted.
 */
export function evictionsFor(timeline: readonly LocalMessage[], limit: number): string[] {
  const sent = timeline.filter((message) => message.state === 'sent' && message.seq !== undefined);
  if (sent.length <= limit) return [];
  return sent
    .sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0))
    .slice(0, sent.length - limit)
    .map((message) => message.key);
}

/** "3.2 MB of 1.1 GB", for the profile sheet. */
export function storageUsedText(usage: number, quota: number | undefined): string {
  return quota ? `${formatBytes(usage)} of ${formatBytes(quota)}` : formatBytes(usage);
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} bytes`;
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
