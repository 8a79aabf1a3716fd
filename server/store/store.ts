/**
 * The Store interface the rest of the server uses: the only way to persistence.
 * SQLite (embedded default) and PostgreSQL (scale-out) implement it, and the
 * contract tests in test/server/store-contract.test.ts hold both to it.
 */
import type { Attachment, Message, MessageChange, MessageTarget, Receipt, RoomId, RoomSummary, User } from '../../shared/protocol';
import type { AttachmentRecords } from './attachment-records';
import { packedJsonOfMessages } from '../../shared/message-packed';
import { rowsOfMessages } from '../../shared/message-rows';

/** `attachments`: resolved by the send path (chat/attachments.ts) from the ids the client sent, in its order. */
export type NewMessage = {
  room: RoomId;
  author: User;
  clientOffset: string;
  content: string;
  replyTo?: MessageTarget;
  attachments?: Attachment[];
};

export type AppendResult = { message: Message; created: boolean };

/** A change to a message, idempotent by (author, clientOffset) like a send. */
export type NewChange = { room: RoomId; author: User; clientOffset: string; target: MessageTarget } & (
  { kind: 'edit'; content: string } | { kind: 'delete' } | { kind: 'react'; emoji: string; on: boolean }
);

/** The change as stored (the first time, or found again for a repeat), and the message as it now is. */
export type ChangeResult = { change: MessageChange; message: Message; created: boolean };

/** Everything the single writer commits, in one ordered queue: sends, changes and delivered receipts. */
export type Write =
  { kind: 'send'; input: NewMessage } | { kind: 'change'; input: NewChange } | { kind: 'delivered'; marks: ReadonlyArray<DeliveredMark> };
/** Delivered cursors as stored after a `delivered` write, one per mark. */
export type DeliveredResult = { stored: number[] };
export type WriteResult = AppendResult | ChangeResult | DeliveredResult;

/** What the writer enforces about changes (config.ts). */
export type ChangeRules = { editWindowMs: number | null; maxReactionEmoji: number };

/** A write the rules refuse, with the protocol's code for it. */
export class WriteRefused extends Error {
  constructor(
    readonly code: 'forbidden' | 'not_found' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** Where a store's writes go: its own group commit, or, in a cluster worker, the primary's (process/cluster-appends.ts). */
export type Appender = {
  write(input: Write): Promise<WriteResult>;
  /** Commits (or hands over) what is queued and waits for the outcome. */
  close(): Promise<void>;
};

export type RoomKind = 'public' | 'dm';

/** "This user's devices hold `room` up to `seq`." */
export type DeliveredMark = { userId: string; room: RoomId; seq: number };

/** One signed-in device: a bearer token (only its hash is stored) that can be revoked on its own. */
export type NewSession = { id: string; tokenHash: string; device: string };
export type SessionRecord = { id: string; userId: string; device: string; createdAt: number; lastSeenAt: number };
export type Authenticated = { user: User; session: SessionRecord };
/** Messages of `rooms` holding every term (see shared/search-terms.ts), best match first, a page at a time. */
export type SearchQuery = { terms: string[]; rooms: RoomId[]; beforeId?: number; limit: number; offset: number };
/** One match, with a snippet around the matched words (marked with SNIPPET_MARK_START / _END). */
export type SearchHit = { message: Message; snippet: string };

/** A WebAuthn credential: its public key, signature counter, and where it was made. */
export type PasskeyRecord = {
  id: string;
  userId: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
  device: string;
  createdAt: number;
  lastUsedAt: number | null;
};
/** A WebAuthn challenge handed out by any worker, checked once by any worker. */
export type ChallengeRecord = { challenge: string; purpose: 'register' | 'login'; userId: string | null; expiresAt: number };

/** Last-seen times are recorded at most this often per session: one write per request would be too many. */
export const SESSION_TOUCH_MS = 5 * 60_000;
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

/** The same page as the JSON text of a `message:rows` payload. */
export function encodeRowsPage(room: RoomId, messages: Message[]): EncodedPage {
  return { json: JSON.stringify(rowsOfMessages(room, messages)), count: messages.length, lastSeq: messages.at(-1)?.seq ?? 0 };
}

/** The same page as the JSON text of a `message:packed` payload. */
export function encodePackedPage(room: RoomId, messages: Message[]): EncodedPage {
  return { json: packedJsonOfMessages(room, messages), count: messages.length, lastSeq: messages.at(-1)?.seq ?? 0 };
}

export interface Store extends AttachmentRecords {
  /** Stores a new user with its first session; only the token's hash is kept. General membership comes with it. */
  createUser(user: User, session: NewSession): Promise<void>;
  /** Another device of an existing user signs in. */
  createSession(userId: string, session: NewSession): Promise<void>;
  /**
   * The session holding this token hash and its user, or null when there is none or it was
   * idle since before `idleSince` (then it is deleted). Records `now` as last seen when the
   * stored time is older than a few minutes (not one write per request).
   */
  authenticate(tokenHash: string, now: number, idleSince: number): Promise<Authenticated | null>;
  /** The user's sessions, newest first. */
  sessionsOf(userId: string): Promise<SessionRecord[]>;
  /** Ends one of the user's sessions; returns whether it existed. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>;

  /** Gives the user this (lower-case) handle, freeing their old one; false when someone else holds it. */
  claimHandle(userId: string, handle: string): Promise<boolean>;
  userByHandle(handle: string): Promise<User | null>;

  /** Keeps a challenge until it is taken or expires (expired ones are swept here). */
  saveChallenge(challenge: ChallengeRecord): Promise<void>;
  /** Removes and returns the challenge if it exists, is for `purpose` and has not expired: each verifies once. */
  takeChallenge(challenge: string, purpose: ChallengeRecord['purpose'], now: number): Promise<ChallengeRecord | null>;
  addPasskey(passkey: Omit<PasskeyRecord, 'lastUsedAt'>): Promise<void>;
  passkeysOf(userId: string): Promise<PasskeyRecord[]>;
  passkeyById(id: string): Promise<PasskeyRecord | null>;
  /** Records a sign-in: the authenticator's new counter and when. */
  passkeyUsed(id: string, counter: number, now: number): Promise<void>;
  removePasskey(userId: string, id: string): Promise<boolean>;

  /** Keeps a device-link code's hash for the user until it is redeemed or expires. */
  saveLinkCode(codeHash: string, userId: string, expiresAt: number): Promise<void>;
  /** Removes the code and returns its user if it was valid at `now`: a code signs in once. */
  takeLinkCode(codeHash: string, now: number): Promise<string | null>;
  userById(id: string): Promise<User | null>;
  renameUser(id: string, name: string): Promise<void>;

  /**
   * Commits the message durably, allocating the room's next seq, or returns the
   * one already stored under `(author.id, clientOffset)` with `created: false`.
   * Resolves only after the commit; concurrent calls are group-committed.
   */
  appendMessage(input: NewMessage): Promise<AppendResult>;
  /**
   * Commits an edit, delete or reaction (rules checked: only the author edits or deletes, within
   * the edit window; reactions bounded), allocating the room's next rev; a repeated
   * (author, clientOffset) returns the stored change with `created: false`. Rejects with
   * WriteRefused when the rules say no.
   */
  applyChange(input: NewChange): Promise<ChangeResult>;
  /** Changes of `room` with rev > `afterRev`, in rev order, at most `limit`. */
  changesAfter(room: RoomId, afterRev: number, limit: number): Promise<MessageChange[]>;
  /** Each of the rooms' last change rev. */
  lastRevs(rooms: RoomId[]): Promise<Record<RoomId, number>>;
  /** Moves the user's delivered cursor of a room forward (never back, never past lastSeq); returns it. */
  markDelivered(userId: string, room: RoomId, seq: number): Promise<number>;
  /** The same for many (user, room) pairs, each at most once, in one transaction; the cursors in input order. */
  markDeliveredMany(marks: ReadonlyArray<DeliveredMark>): Promise<number[]>;
  /** How far each member of a room (not general) has received and read; read is 0 for those who hide it. */
  receipts(room: RoomId): Promise<Receipt[]>;
  /** For any room, general included: how many members there are, and how many have `seq` delivered and read. */
  receiptCounts(room: RoomId, seq: number): Promise<{ members: number; delivered: number; read: number }>;
  /** Whether the user lets others see how far they read (read receipts). */
  setReadReceipts(userId: string, share: boolean): Promise<void>;

  /** Messages of `room` with seq > `afterSeq`, in seq order, at most `limit`. */
  messagesAfter(room: RoomId, afterSeq: number, limit: number): Promise<Message[]>;
  /** The newest `limit` messages of `room` with seq < `beforeSeq`, in seq order (paging back through history). */
  messagesBefore(room: RoomId, beforeSeq: number, limit: number): Promise<Message[]>;
  /** The same page as JSON text, built where that is cheapest: catch-up sends it as it is. */
  encodedMessagesAfter(room: RoomId, afterSeq: number, limit: number): Promise<EncodedPage>;
  /**
   * The same page as a `message:rows` payload. SQLite keeps every full page of 500 (seqs 1-500,
   * 501-1,000, …) ready encoded, so a catch-up that asks for such pages reads one row per page
   * instead of one per message (sqlite-sealed-pages.ts).
   */
  encodedRowsAfter(room: RoomId, afterSeq: number, limit: number): Promise<EncodedPage>;
  /** The same page as a `message:packed` payload, kept encoded on SQLite as `message:rows` pages are. */
  encodedPackedAfter(room: RoomId, afterSeq: number, limit: number): Promise<EncodedPage>;
  /** `messagesBefore` as the JSON array it is sent as (`GET ...?before=`): no message objects on the way. */
  encodedMessagesBefore(room: RoomId, beforeSeq: number, limit: number): Promise<EncodedPage>;

  /** Full-text search; a message can take a moment after its commit to be found (both stores index off the send path). */
  search(query: SearchQuery): Promise<SearchHit[]>;

  /** Creates the room if missing and makes `userId` a member; returns its lastSeq. */
  joinRoom(userId: string, room: RoomId, kind: RoomKind): Promise<number>;
  /** Returns whether the user was a member. */
  leaveRoom(userId: string, room: RoomId): Promise<boolean>;
  isMember(userId: string, room: RoomId): Promise<boolean>;
  /** The user's rooms with their last seq and the user's read cursor, general first. */
  roomsOf(userId: string): Promise<Array<RoomSummary & { readSeq: number; lastRev: number }>>;
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
