/**
 * The wire contract (../shared/protocol.md) as types: payloads, acks and the
 * typed Socket.IO event maps used by the server and the PWA alike.
 */

export type RoomId = string;

/**
 * `handle` (extension) is the person's unique `@handle` once they claimed one; display names
 * are free text and may repeat, so the UI shows the handle beside a name two people share.
 */
export type User = { id: string; name: string; handle?: string };

/** A message's first six fields as a `message:rows` row carries them (its room and author named once per page). */
export type PageRowHead = [id: number, seq: number, authorId: string, clientOffset: string, content: string, ts: number];
/** What a message has beyond those, in a row's seventh place, only when it has any of it. */
export type MessageLaterLife = Pick<Message, 'replyTo' | 'editedAt' | 'deleted' | 'reactions' | 'attachments'>;
export type PageRow = PageRowHead | [...PageRowHead, later: MessageLaterLife];
/** A page's author: [id, name], or [id, name, handle] once a handle is claimed. */
export type PageUser = [id: string, name: string] | [id: string, name: string, handle: string];
/**
 * Extension: a catch-up page for a socket that connected with `auth.pages: 'rows'`. The same
 * messages a `message:batch` would carry, in seq order, without the room and author repeated on
 * each: 36% fewer bytes for typical messages, and a third of the client's parse (shared/message-rows.ts).
 */
export type MessageRows = { room: RoomId; users: PageUser[]; rows: PageRow[] };
/**
 * A `message:packed` row: the author as its place in the page's `users`, and id, seq and ts as the
 * step from the row before (from 0 on the first row).
 */
export type PackedRowHead = [idStep: number, seqStep: number, author: number, clientOffset: string, content: string, tsStep: number];
export type PackedRow = PackedRowHead | [...PackedRowHead, later: MessageLaterLife];
/**
 * Extension: a catch-up page for a socket that connected with `auth.pages: 'packed'`: the messages
 * of a `message:rows` page with nothing a reader can work out sent again (shared/message-packed.ts).
 */
export type MessagePacked = { room: RoomId; users: PageUser[]; rows: PackedRow[] };

export type Message = {
  /** Global server offset, strictly increasing in commit order. */
  id: number;
  room: RoomId;
  /** Per-room 1, 2, 3, … with no gaps. */
  seq: number;
  author: User;
  clientOffset: string;
  content: string;
  /** Server time, ms since epoch. */
  ts: number;
  /** Extension: the message this one answers (its state as of now: edited, or deleted). */
  replyTo?: ReplyPreview;
  /** Extension: when the author last edited it. */
  editedAt?: number;
  /** Extension: taken back by its author; `content` is then empty. */
  deleted?: true;
  /** Extension: who reacted with what, emoji → user ids in the order they reacted. */
  reactions?: Record<string, string[]>;
  /** Extension: the files it carries, in the order sent (absent when none; at most MAX_ATTACHMENTS). */
  attachments?: Attachment[];
};

/**
 * Extension: a stored file a message carries. `id` is the lowercase hex SHA-256 of the stored
 * bytes (content-addressed: the same bytes are one blob, whoever uploads them).
 */
export type Attachment = {
  id: string;
  /** The file name as given, sanitised: no path, no control characters, at most 255 characters. */
  name: string;
  /** The MIME type read from the bytes (never from the name or the claim). */
  type: string;
  /** Bytes of the stored file (after the server's re-encode, for images). */
  size: number;
  /** Images only, after the server's re-encode (auto-rotated). */
  width?: number;
  height?: number;
  /** Images only: base64 ThumbHash of the image, for a placeholder while the thumbnail loads. */
  thumbhash?: string;
};

/** What a reply shows of its parent: who wrote it and its first line, or that it was deleted. */
export type ReplyPreview = { id: number; seq: number; author: User; preview: string } | { id: number; seq: number; deleted: true };

/**
 * Extension: a message's later life, one per room `rev` (1, 2, 3, … with no gaps, like seq),
 * live as `message:change` and on catch-up after the messages.
 */
export type MessageChange = {
  room: RoomId;
  rev: number;
  kind: 'edit' | 'delete' | 'react';
  /** The message changed: its id and seq. */
  target: number;
  targetSeq: number;
  by: User;
  clientOffset: string;
  ts: number;
  /** edit: the new content. */
  content?: string;
  /** react: which emoji, and whether it was added or taken back. */
  emoji?: string;
  on?: boolean;
};

export type ErrCode = 'invalid' | 'too_long' | 'forbidden' | 'rate_limited' | 'unavailable' | 'not_found';

export type Err = { code: ErrCode; message: string; retryAfterMs?: number };

// The empty object type is the protocol's own `Ack<{}>`: success carries no extra fields.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type Ack<T extends object = {}> = ({ ok: true } & T) | { ok: false; error: Err };

export type Cursors = Record<RoomId, number>;
export type LastSeqs = Record<RoomId, number>;

export type RoomSummary = {
  id: RoomId;
  lastSeq: number;
  /** Extension: how far this user has read (see `room:read`); unread = lastSeq - readSeq. */
  readSeq?: number;
  /** Extension: the room's last change rev (edits, deletes, reactions). */
  lastRev?: number;
};

/**
 * Extension: what `GET /api/rooms` lists. `peer` is the other person of a DM, and `peerReceipt`
 * how far they received and read it (read is 0 when they do not share read receipts).
 */
export type RoomListing = RoomSummary & { readSeq: number; unread: number; kind: 'public' | 'dm'; peer?: User; peerReceipt?: Receipt };
/** Extension `GET /api/rooms/:room/receipts?seq=`: how many members there are and how many received and read `seq`. */
export type ReceiptCounts = { members: number; delivered: number; read: number };

/**
 * A message a change or reply points at: its id, or, for one of the sender's own messages that
 * may still be in their outbox, its clientOffset (the server resolves (author, clientOffset)).
 */
export type MessageTarget = number | string;

/**
 * `attachments` (extension): ids of attachments this user finalized (or may read), 1..MAX_ATTACHMENTS,
 * no repeats; with them `content` may be "" (the caption is optional).
 */
export type SendPayload = { room: RoomId; clientOffset: string; content: string; replyTo?: MessageTarget; attachments?: string[] };
export type EditPayload = { room: RoomId; target: MessageTarget; clientOffset: string; content: string };
export type DeletePayload = { room: RoomId; target: MessageTarget; clientOffset: string };
export type ReactionPayload = { room: RoomId; target: MessageTarget; emoji: string; on: boolean; clientOffset: string };
/** Extension: this device holds the room up to `seq` (for delivery ticks). */
export type DeliveredPayload = { room: RoomId; seq: number };
/** Extension: how far a member of a small room has received and read (for ticks). */
export type Receipt = { room: RoomId; userId: string; deliveredSeq: number; readSeq: number };
export type RoomPayload = { room: RoomId };
export type DmOpenPayload = { userId: string };
/** `revs` (extension): change cursors per room; a client that sends them gets changes after them. */
/**
 * `rooms` (extension): rooms to catch up that `cursors` does not name, each as a first sync gets it (its
 * newest window): a room just joined without its whole history. Without it, as v1: the rooms named in
 * `cursors`, or every room when it names none.
 */
export type SyncPayload = { cursors: Cursors; revs?: Cursors; rooms?: RoomId[] };
export type TypingPayload = { room: RoomId; typing: boolean };
export type VisibilityPayload = { hidden: boolean };
/** Extension: the user has read `room` up to `seq`. */
export type ReadPayload = { room: RoomId; seq: number };

/**
 * Where a catch-up left each room. `windows` (extension, absent when empty): rooms that were
 * sent only their newest messages, from this seq on; older ones exist (load them over HTTP,
 * or `sync` with an explicit cursor). A v1 client that ignores it sees a seq gap and syncs.
 */
export type SyncDone = {
  lastSeq: LastSeqs;
  windows?: Record<RoomId, number>;
  /** Extension, for clients that sent `revs`: each room's last change rev as of the catch-up. */
  lastRev?: Record<RoomId, number>;
};

/**
 * `presence` (extension): 'full' (v1) a whole list on every change; 'delta' one list, then changes;
 * 'bounded' as 'delta' while at most PRESENCE_LIST_LIMIT people are online, and above it only
 * `presence:count` (names on request, `presence:list`).
 */
export type HandshakeAuth = { token: string; cursors?: Cursors; revs?: Cursors; presence?: PresenceMode; pages?: PageFormat };
/**
 * Extension (`auth.pages`): how catch-up pages travel. 'messages' (v1, the default): `message:batch`
 * of Message objects. 'rows': `message:rows`, the same messages as rows sharing their room and authors.
 * 'packed': `message:packed`, rows that also name their author by number and step their numbers.
 */
export type PageFormat = 'messages' | 'rows' | 'packed';
export type PresenceMode = 'full' | 'delta' | 'bounded';
/** Extension `presence:list`: names of people online, by name; `query` keeps those whose name or handle contains it. */
export type PresenceListPayload = { query?: string };
export type PresenceList = { online: User[]; total: number };

export type Notice = { room: RoomId; kind: 'joined' | 'left'; user: User };

export interface ClientToServerEvents {
  'message:send': (payload: SendPayload, ack?: (answer: Ack<{ message: Message }>) => void) => void;
  'room:join': (payload: RoomPayload, ack?: (answer: Ack<{ room: RoomId; lastSeq: number }>) => void) => void;
  'room:leave': (payload: RoomPayload, ack?: (answer: Ack) => void) => void;
  'dm:open': (payload: DmOpenPayload, ack?: (answer: Ack<{ room: RoomId; lastSeq: number }>) => void) => void;
  sync: (payload: SyncPayload, ack?: (answer: Ack<SyncDone>) => void) => void;
  typing: (payload: TypingPayload) => void;
  /** Extension: move this user's read cursor; never moves back. */
  'room:read': (payload: ReadPayload, ack?: (answer: Ack<{ room: RoomId; readSeq: number }>) => void) => void;
  /** Extension: change one's own message, take it back, or react to any message. */
  'message:edit': (payload: EditPayload, ack?: (answer: Ack<{ change: MessageChange }>) => void) => void;
  'message:delete': (payload: DeletePayload, ack?: (answer: Ack<{ change: MessageChange }>) => void) => void;
  'reaction:set': (payload: ReactionPayload, ack?: (answer: Ack<{ change: MessageChange }>) => void) => void;
  /** Extension: this device holds the room up to `seq`; moves the user's delivered cursor (never back). */
  'room:delivered': (payload: DeliveredPayload, ack?: (answer: Ack<{ room: RoomId; deliveredSeq: number }>) => void) => void;
  /** Extension: this device shows the app (hidden: false) or not; a hidden device gets pushes as if it were closed. */
  'app:visibility': (payload: VisibilityPayload) => void;
  /** Extension: who is online (at most PRESENCE_LIST_PAGE, by name) and how many in all, for a crowd told only counts. */
  'presence:list': (payload: PresenceListPayload, ack?: (answer: Ack<PresenceList>) => void) => void;
}

export interface ServerToClientEvents {
  'message:new': (message: Message) => void;
  'message:batch': (messages: Message[]) => void;
  /** Extension, instead of `message:batch` for sockets that connected with `auth.pages: 'rows'`. */
  'message:rows': (page: MessageRows) => void;
  /** Extension, instead of `message:batch` for sockets that connected with `auth.pages: 'packed'`. */
  'message:packed': (page: MessagePacked) => void;
  'sync:done': (payload: SyncDone) => void;
  presence: (payload: { online: User[] }) => void;
  /** Extension, for sockets that connected with `auth.presence: 'delta'`: changes since the last presence event. */
  'presence:delta': (payload: { joined: User[]; left: User[] }) => void;
  /**
   * Extension, for sockets that connected with `auth.presence: 'bounded'`: how many people are
   * online, sent instead of `presence` / `presence:delta` while more than PRESENCE_LIST_LIMIT are.
   * A client that held a list drops it; a later `presence` (the crowd thinned) brings one back.
   */
  'presence:count': (payload: { online: number }) => void;
  typing: (payload: { room: RoomId; user: User; typing: boolean }) => void;
  notice: (payload: Notice) => void;
  /** Extension: the user's read cursor moved (on another of their devices, or this one). */
  'room:read': (payload: { room: RoomId; readSeq: number }) => void;
  /** Extension, for clients that sent `revs`: an edit, delete or reaction, live. */
  'message:change': (change: MessageChange) => void;
  /** Extension, for clients that sent `revs`: missed changes on catch-up (≤ 500, by room then rev), after the messages. */
  'change:batch': (changes: MessageChange[]) => void;
  /** Extension: a member of a small room (a DM) received or read further. */
  'room:receipt': (receipt: Receipt) => void;
}

/** HTTP answers of the `/api` routes. */
export type SessionCreated = { token: string; user: User };
/** Extension `GET /api/sessions`: one signed-in device of the caller's account. */
export type DeviceSession = { id: string; device: string; createdAt: number; lastSeenAt: number; current: boolean };
/** Extension `GET /api/passkeys`: one passkey of the caller's account (the secret stays on the authenticator). */
export type PasskeyInfo = { id: string; device: string; createdAt: number; lastUsedAt: number | null };
/** Extension `GET /api/search`: a match and a snippet of it, matched words between U+E000 and U+E001. */
export type SearchResult = { message: Message; snippet: string };

/** Extension `POST /api/attachments`: turn a finished tus upload (its id, the last segment of its URL) into an Attachment. */
export type FinalizeBody = { upload: string };

/** Extension `POST /api/devices/link`: a one-time code (and a link holding it) another device redeems to sign in. */
export type DeviceLink = { code: string; url: string; expiresAt: number };
