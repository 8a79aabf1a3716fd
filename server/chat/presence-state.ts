/**
 * Who is online across the cluster, as plain state: this process's sockets per
 * user plus the latest snapshot every other process announced. No I/O here; the
 * shell in presence.ts feeds it events and emits what changed.
 */
import type { User } from '../../shared/protocol';

/**
 * `since[i]` is when `users[i]` (or `joined[i]`) came online in that process: of two processes
 * that each saw a user's first socket, the earlier one says so (`firstPlace`). Absent from an
 * older process, which then counts as the earlier one.
 */
export type PresenceSnapshot = { node: string; users: User[]; since?: number[]; at: number };
/** What changed in one process since its last message: cheap to send on every change. */
export type PresenceDelta = { node: string; joined: User[]; since?: number[]; left: string[] };

type RemoteNode = { users: Map<string, User>; since: Map<string, number>; at: number };
/** What changed in the union since the last emit to clients. */
export type OnlineChange = { online: User[]; joined: User[]; left: User[] };

export class PresenceState {
  private readonly local = new Map<string, { user: User; sockets: number; since: number }>();
  private readonly remote = new Map<string, RemoteNode>();
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
  addSocket(user: User, now = Date.now()): boolean {
    const entry = this.local.get(user.id);
    if (entry) {
      entry.sockets++;
      entry.user = user;
      return false;
    }
    this.local.set(user.id, { user, sockets: 1, since: now });
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

  /** This process's latest profile of a user it holds (sockets open or in their grace period). */
  localUser(userId: string): User | undefined {
    return this.local.get(userId)?.user;
  }

  /** When the user came online here, to send with `joined` (deltas). */
  localSince(userId: string): number | undefined {
    return this.local.get(userId)?.since;
  }

  /**
   * Whether this process (`node`) saw the user come online before every other process that
   * holds them (a tie goes to the smaller node id): the one place that sends the joined notice
   * when two tabs land on two processes before either heard of the other.
   */
  firstPlace(userId: string, node: string): boolean {
    const here = this.local.get(userId)?.since;
    if (here === undefined) return false;
    for (const [other, entry] of this.remote) {
      if (!entry.users.has(userId)) continue;
      const there = entry.since.get(userId) ?? 0;
      if (there < here || (there === here && other < node)) return false;
    }
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
    const entries = [...this.local.values()];
    return { node, users: entries.map((entry) => entry.user), since: entries.map((entry) => entry.since), at };
  }

  applySnapshot(snapshot: PresenceSnapshot, receivedAt: number): void {
    const users = new Map(snapshot.users.map((user) => [user.id, user]));
    const since = sinceOf(snapshot.users, snapshot.since);
    const before = this.remote.get(snapshot.node)?.users;
    if (before) for (const id of before.keys()) if (!users.has(id)) this.absent(id);
    for (const id of users.keys()) if (!before?.has(id)) this.present(id);
    this.remote.set(snapshot.node, { users, since, at: receivedAt });
  }

  applyDelta(delta: PresenceDelta, receivedAt: number): void {
    const entry = this.remote.get(delta.node) ?? { users: new Map<string, User>(), since: new Map<string, number>(), at: receivedAt };
    for (const [i, user] of delta.joined.entries()) {
      if (!entry.users.has(user.id)) this.present(user.id);
      entry.users.set(user.id, user);
      // A rename re-announces a user as joined: keep when they first came, unless told it.
      const since = delta.since?.[i];
      if (since !== undefined) entry.since.set(user.id, since);
    }
    for (const id of delta.left) {
      entry.since.delete(id);
      if (entry.users.delete(id)) this.absent(id);
    }
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

  /**
   * Everyone online, one entry per user, by name then id so every process lists them alike (and
   * a list cut at its limit keeps the same people). By code unit, case folded, not localeCompare:
   * collation woke ICU's tables, 1.7 MB more of the node binary resident in every worker, and
   * the app sorts what it shows by the reader's own locale anyway.
   */
  online(): User[] {
    const all = new Map<string, User>();
    for (const node of this.remote.values()) for (const user of node.users.values()) all.set(user.id, user);
    for (const entry of this.local.values()) all.set(entry.user.id, entry.user);
    return [...all.values()]
      .map(withSortKey)
      .sort(byNameThenId)
      .map(({ user }) => user);
  }
}

/** Each user's `since` by id; entries an older process did not send are left out (read as 0). */
function sinceOf(users: User[], since: number[] | undefined): Map<string, number> {
  const byId = new Map<string, number>();
  if (since) for (const [i, user] of users.entries()) if (since[i] !== undefined) byId.set(user.id, since[i]);
  return byId;
}

/** Whether clients already show `user` as `known` (same name and handle). */
function sameProfile(known: User | undefined, user: User): boolean {
  return known !== undefined && known.name === user.name && known.handle === user.handle;
}

type Keyed = { user: User; key: string };
const withSortKey = (user: User): Keyed => ({ user, key: user.name.toLowerCase() });
const codeUnitOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byNameThenId = (a: Keyed, b: Keyed): number =>
  codeUnitOrder(a.key, b.key) || codeUnitOrder(a.user.name, b.user.name) || codeUnitOrder(a.user.id, b.user.id);
