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
};

/** Extension: what `GET /api/rooms` lists. `peer` is the other person of a DM. */
export type RoomListing = RoomSummary & { readSeq: number; unread: number; kind: 'public' | 'dm'; peer?: User };

export type SendPayload = { room: RoomId; clientOffset: string; content: string };
export type RoomPayload = { room: RoomId };
export type DmOpenPayload = { userId: string };
export type SyncPayload = { cursors: Cursors };
export type TypingPayload = { room: RoomId; typing: boolean };
/** Extension: the user has read `room` up to `seq`. */
export type ReadPayload = { room: RoomId; seq: number };

/**
 * Where a catch-up left each room. `windows` (extension, absent when empty): rooms that were
 * sent only their newest messages, from this seq on; older ones exist (load them over HTTP,
 * or `sync` with an explicit cursor). A v1 client that ignores it sees a seq gap and syncs.
 */
export type SyncDone = { lastSeq: LastSeqs; windows?: Record<RoomId, number> };

export type HandshakeAuth = { token: string; cursors?: Cursors; presence?: 'full' | 'delta' };

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
}

export interface ServerToClientEvents {
  'message:new': (message: Message) => void;
  'message:batch': (messages: Message[]) => void;
  'sync:done': (payload: SyncDone) => void;
  presence: (payload: { online: User[] }) => void;
  /** Extension, for sockets that connected with `auth.presence: 'delta'`: changes since the last presence event. */
  'presence:delta': (payload: { joined: User[]; left: User[] }) => void;
  typing: (payload: { room: RoomId; user: User; typing: boolean }) => void;
  notice: (payload: Notice) => void;
  /** Extension: the user's read cursor moved (on another of their devices, or this one). */
  'room:read': (payload: { room: RoomId; readSeq: number }) => void;
}

/** HTTP answers of the `/api` routes. */
export type SessionCreated = { token: string; user: User };
/** Extension `GET /api/sessions`: one signed-in device of the caller's account. */
export type DeviceSession = { id: string; device: string; createdAt: number; lastSeenAt: number; current: boolean };
/** Extension `GET /api/passkeys`: one passkey of the caller's account (the secret stays on the authenticator). */
export type PasskeyInfo = { id: string; device: string; createdAt: number; lastUsedAt: number | null };
/** Extension `GET /api/search`: a match and a snippet of it, matched words between U+E000 and U+E001. */
export type SearchResult = { message: Message; snippet: string };

/** Extension `POST /api/devices/link`: a one-time code (and a link holding it) another device redeems to sign in. */
export type DeviceLink = { code: string; url: string; expiresAt: number };
