/**
 * The Store interface the rest of the server uses: the only way to persistence.
 * SQLite (embedded default) and PostgreSQL (scale-out) implement it, and the
 * contract tests in test/server/store-contract.test.ts hold both to it.
 */
import type { Message, RoomId, RoomSummary, User } from '../../shared/protocol';

export type NewMessage = { room: RoomId; author: User; clientOffset: string; content: string };

export type AppendResult = { message: Message; created: boolean };

/** Where a store's appends go: its own group commit, or, in a cluster worker, the primary's (process/cluster-appends.ts). */
export type Appender = {
  append(input: NewMessage): Promise<AppendResult>;
  /** Commits (or hands over) what is queued and waits for the outcome. */
  close(): Promise<void>;
};

export type RoomKind = 'public' | 'dm';

/**
 * How one database connection commits, as the engine reports it when asked, not as
 * the config asked for it: what "acked means fsynced" rests on.
 */
export type ConnectionDurability = { connection: string; journalMode: string; synchronous: string };

/** A page of messages as the JSON text of a `Message[]`, with what paging needs to know of it. */
export type EncodedPage = { json: string; count: number; lastSeq: number };

export function encodePage(messages: Message[]): EncodedPage {
  return { json: JSON.stringify(messages), count: messages.length, lastSeq: messages.at(-1)?.seq ?? 0 };
}

export interface Store {
  /** Stores a new user; only `tokenHash` of its secret is kept. General membership comes with it. */
  createUser(user: User, tokenHash: string): Promise<void>;
  userByTokenHash(tokenHash: string): Promise<User | null>;
  userById(id: string): Promise<User | null>;
  renameUser(id: string, name: string): Promise<void>;

  /**
   * Commits the message durably, allocating the room's next seq, or returns the
   * one already stored under `(author.id, clientOffset)` with `created: false`.
   * Resolves only after the commit; concurrent calls are group-committed.
   */
  appendMessage(input: NewMessage): Promise<AppendResult>;

  /** Messages of `room` with seq > `afterSeq`, in seq order, at most `limit`. */
  messagesAfter(room: RoomId, afterSeq: number, limit: number): Promise<Message[]>;
  /** The same page as JSON text, built where that is cheapest: catch-up sends it as it is. */
  encodedMessagesAfter(room: RoomId, afterSeq: number, limit: number): Promise<EncodedPage>;

  /** Creates the room if missing and makes `userId` a member; returns its lastSeq. */
  joinRoom(userId: string, room: RoomId, kind: RoomKind): Promise<number>;
  /** Returns whether the user was a member. */
  leaveRoom(userId: string, room: RoomId): Promise<boolean>;
  isMember(userId: string, room: RoomId): Promise<boolean>;
  /** The user's rooms with their last seq and the user's read cursor, general first. */
  roomsOf(userId: string): Promise<Array<RoomSummary & { readSeq: number }>>;
  /** Moves the user's read cursor of a room forward (never back, never past lastSeq); returns it. */
  markRead(userId: string, room: RoomId, seq: number): Promise<number>;

  /** Each SQLite connection's journal mode and synchronous setting, read back from it; empty for PostgreSQL. */
  durability(): ConnectionDurability[];

  /** Throws unless the store can read and write right now. */
  checkHealth(): Promise<void>;
  /** Finishes pending commits, then closes. */
  close(): Promise<void>;
}

/** Thrown by a store when persistence is failing; the edges answer `unavailable`. */
export class StoreUnavailableError extends Error {}
