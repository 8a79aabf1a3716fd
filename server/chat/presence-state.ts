/**
 * Who is online across the cluster, as plain state: this process's sockets per
 * user plus the latest snapshot every other process announced. No I/O here; the
 * shell in presence.ts feeds it events and emits what changed.
 */
import type { User } from '../../shared/protocol';

export type PresenceSnapshot = { node: string; users: User[]; at: number };
/** What changed in one process since its last message: cheap to send on every change. */
export type PresenceDelta = { node: string; joined: User[]; left: string[] };
/** What changed in the union since the last emit to clients. */
export type OnlineChange = { online: User[]; joined: User[]; left: User[] };

export class PresenceState {
  private readonly local = new Map<string, { user: User; sockets: number }>();
  private readonly remote = new Map<string, { users: Map<string, User>; at: number }>();
  /**
   * In how many places (this process, each other one) each user is online: its size is the
   * union's, kept as things change, so counting the crowd for each newcomer of a connection
   * storm is O(1), not a pass over everyone.
   */
  private readonly places = new Map<string, number>();

  private present(userId: string): void {
    this.places.set(userId, (this.places.get(userId) ?? 0) + 1);
  }

  private absent(userId: string): void {
    const left = (this.places.get(userId) ?? 0) - 1;
    if (left > 0) this.places.set(userId, left);
    else this.places.delete(userId);
  }

  /** How many people are online across the cluster. */
  onlineCount(): number {
    return this.places.size;
  }

  /** Returns true when this is the user's first socket here. */
  addSocket(user: User): boolean {
    const entry = this.local.get(user.id);
    if (entry) {
      entry.sockets++;
      entry.user = user;
      return false;
    }
    this.local.set(user.id, { user, sockets: 1 });
    this.present(user.id);
    return true;
  }

  /** Returns true when that was the user's last socket here. */
  removeSocket(userId: string): boolean {
    const entry = this.local.get(userId);
    if (!entry) return false;
    entry.sockets--;
    return entry.sockets <= 0;
  }

  /** Forget a user whose last local socket left (after the grace period), unless one came back. */
  dropIfIdle(userId: string): boolean {
    const entry = this.local.get(userId);
    if (!entry || entry.sockets > 0) return false;
    this.local.delete(userId);
    this.absent(userId);
    return true;
  }

  hasLocalSockets(userId: string): boolean {
    return (this.local.get(userId)?.sockets ?? 0) > 0;
  }

  rename(user: User): void {
    const entry = this.local.get(user.id);
    if (entry) entry.user = user;
    for (const node of this.remote.values()) if (node.users.has(user.id)) node.users.set(user.id, user);
  }

  isOnline(userId: string): boolean {
    if (this.local.has(userId)) return true;
    for (const node of this.remote.values()) if (node.users.has(userId)) return true;
    return false;
  }

  snapshot(node: string, at: number): PresenceSnapshot {
    return { node, users: [...this.local.values()].map((entry) => entry.user), at };
  }

  applySnapshot(snapshot: PresenceSnapshot, receivedAt: number): void {
    const users = new Map(snapshot.users.map((user) => [user.id, user]));
    const before = this.remote.get(snapshot.node)?.users;
    if (before) for (const id of before.keys()) if (!users.has(id)) this.absent(id);
    for (const id of users.keys()) if (!before?.has(id)) this.present(id);
    this.remote.set(snapshot.node, { users, at: receivedAt });
  }

  applyDelta(delta: PresenceDelta, receivedAt: number): void {
    const entry = this.remote.get(delta.node) ?? { users: new Map<string, User>(), at: receivedAt };
    for (const user of delta.joined) {
      if (!entry.users.has(user.id)) this.present(user.id);
      entry.users.set(user.id, user);
    }
    for (const id of delta.left) if (entry.users.delete(id)) this.absent(id);
    entry.at = receivedAt;
    this.remote.set(delta.node, entry);
  }

  /** Drops processes that stopped announcing themselves (crashed workers or instances). */
  pruneRemote(olderThan: number): boolean {
    let pruned = false;
    for (const [node, entry] of this.remote) {
      if (entry.at < olderThan) {
        for (const id of entry.users.keys()) this.absent(id);
        this.remote.delete(node);
        pruned = true;
      }
    }
    return pruned;
  }

  /**
   * The union now, and how it differs from `before` (what clients were last told):
   * renamed users (name or handle) count as joined, so clients replace them.
   */
  diff(before: Map<string, User>): OnlineChange {
    const online = this.online();
    const now = new Map(online.map((user) => [user.id, user]));
    const joined = online.filter((user) => !sameProfile(before.get(user.id), user));
    const left = [...before.values()].filter((user) => !now.has(user.id));
    return { online, joined, left };
  }

  /**
   * Up to `limit` people online by name, those whose name or @handle contains `query` (any case),
   * and how many matched in all: what a crowd's client asks for when it shows names.
   */
  list(query: string, limit: number): { online: User[]; total: number } {
    const needle = query.trim().toLowerCase();
    const matches = needle
      ? this.online().filter((user) => user.name.toLowerCase().includes(needle) || (user.handle ?? '').toLowerCase().includes(needle))
      : this.online();
    return { online: matches.slice(0, limit), total: matches.length };
  }

  /** Everyone online, one entry per user, by name then id so every process lists them alike. */
  online(): User[] {
    const all = new Map<string, User>();
    for (const node of this.remote.values()) for (const user of node.users.values()) all.set(user.id, user);
    for (const entry of this.local.values()) all.set(entry.user.id, entry.user);
    return [...all.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
  }
}

/** Whether clients already show `user` as `known` (same name and handle). */
function sameProfile(known: User | undefined, user: User): boolean {
  return known !== undefined && known.name === user.name && known.handle === user.handle;
}
