/**
 * Who is online: the registry the socket layer tells about each socket that
 * connects or leaves, and that calls back with the whole list when it changes.
 * This one lives in the process (single process); presence-redis.ts shares it
 * across instances.
 */
import type { User } from '../shared/protocol';

export interface Presence {
  /** A socket of `user` connected to this process. */
  add(socketId: string, user: User): void;
  /** That socket is gone. */
  remove(socketId: string): void;
  /** Everyone online, once each, ordered by name then id. */
  online(): Promise<User[]>;
  /**
   * Called with the new list whenever it changes anywhere (debounced); emit it to
   * this process's own sockets only (`io.local.emit`), since every process is told.
   */
  onChange(listener: (online: User[]) => void): void;
  close(): Promise<void>;
}

/** Unique by id, ordered by name then id, so every process computes the same list. */
export function onlineList(users: Iterable<User>): User[] {
  const byId = new Map<string, User>();
  for (const user of users) byId.set(user.id, user);
  return [...byId.values()].sort((a, b) => (a.name === b.name ? (a.id < b.id ? -1 : 1) : a.name < b.name ? -1 : 1));
}

/** Calls `listener` with the list when it differs from the last one announced. */
export function announcer(listeners: Array<(online: User[]) => void>): (online: User[]) => void {
  let last = '[]';
  return (online) => {
    const encoded = JSON.stringify(online);
    if (encoded === last) return;
    last = encoded;
    for (const listener of listeners) listener(online);
  };
}

export function createLocalPresence(): Presence {
  const sockets = new Map<string, User>();
  const listeners: Array<(online: User[]) => void> = [];
  const announce = announcer(listeners);
  let scheduled = false;
  const changed = () => {
    if (scheduled) return;
    scheduled = true;
    // One announcement for a burst of connects (a server restart brings everyone back at once).
    setTimeout(() => {
      scheduled = false;
      announce(onlineList(sockets.values()));
    }, 50);
  };
  return {
    add(socketId, user) {
      sockets.set(socketId, user);
      changed();
    },
    remove(socketId) {
      if (sockets.delete(socketId)) changed();
    },
    online: async () => onlineList(sockets.values()),
    onChange: (listener) => void listeners.push(listener),
    close: async () => undefined,
  };
}
