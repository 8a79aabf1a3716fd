/** The only fetch() calls: the HTTP half of the protocol (session and sign-out, profile, rooms, history pages, search, HTTP send; handle, devices and passkeys are in identity-api.ts), through Hono's typed client. */
import { hc, type ClientRequestOptions } from 'hono/client';
import type { ApiRoutes } from '../../server/http/app';
import type {
  Ack,
  Err,
  Message,
  ReceiptCounts,
  RoomId,
  RoomListing,
  SearchResult,
  SendPayload,
  SessionCreated,
  User,
} from '../../shared/protocol';
import type { ReplayLimits } from '../logic/cursor-logic';

/** Paths, parameters and answers of `/api`, typed from the server's routes (the server's code is not bundled). */
/** The typed client; `identity-api.ts` uses it too. */
export const api = hc<ApiRoutes>('/api');

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** How long a 429 asked us to wait. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The bearer token (bodies are typed by the routes: `hc` sends `json` with its content type). */
export function options(token: string | undefined): ClientRequestOptions {
  return token ? { headers: { authorization: `Bearer ${token}` } } : {};
}

/** The `message` and `retryAfterMs` of our `{ error }` body; a proxy in between may answer with any body, or none. */
function errorFields(body: unknown): { message?: string; retryAfterMs?: number } {
  if (typeof body !== 'object' || body === null || !('error' in body)) return {};
  const { error } = body;
  if (typeof error !== 'object' || error === null) return {};
  return {
    message: 'message' in error && typeof error.message === 'string' ? error.message : undefined,
    retryAfterMs: 'retryAfterMs' in error && typeof error.retryAfterMs === 'number' ? error.retryAfterMs : undefined,
  };
}

/**
 * A non-2xx answer as ApiError. Read without the route's types on purpose: the auth middleware's
 * 401, the rate limits, the body limit and the error handler answer every route, and `ApiRoutes` cannot see them.
 */
export async function refusal(response: { status: number; json(): Promise<unknown> }): Promise<ApiError> {
  const { message, retryAfterMs } = errorFields(await response.json().catch(() => undefined));
  return new ApiError(response.status, message ?? `The server answered ${response.status}`, retryAfterMs);
}

export async function createSession(name: string): Promise<SessionCreated> {
  const response = await api.session.$post({ json: { name } }, options(undefined));
  if (!response.ok) throw await refusal(response);
  return response.json();
}

/**
 * Extension `DELETE /api/session`: the server forgets this device's token and closes its sockets.
 * A 401 means it already had (expired or revoked): done either way. Throws ApiError on any other
 * answer, and the network's error when there is no answer.
 */
export async function endSession(token: string): Promise<void> {
  const response = await api.session.$delete({}, options(token));
  // The auth middleware's 401 is not among the route's typed answers.
  const status: number = response.status;
  if (response.ok || status === 401) return;
  throw await refusal(response);
}

/** The caller's rooms with read cursors, unread counts and each DM's other person. */
export async function fetchRooms(token: string): Promise<RoomListing[]> {
  return (await fetchRoomsAndLimits(token)).rooms;
}

/** The rooms, and (extension) what a catch-up sends each: the newest `window` without a cursor, at most `cap` after one. */
export async function fetchRoomsAndLimits(token: string): Promise<{ rooms: RoomListing[]; limits?: ReplayLimits }> {
  const response = await api.rooms.$get({}, options(token));
  if (!response.ok) throw await refusal(response);
  const { rooms, window, cap } = await response.json();
  return { rooms, limits: { window, cap } };
}

/** Extension `PATCH /api/me`: a new display name for the caller. */
export async function renameMe(token: string, name: string): Promise<User> {
  const response = await api.me.$patch({ json: { name } }, options(token));
  if (!response.ok) throw await refusal(response);
  return (await response.json()).user;
}

/** A refusal a send can get (`unauthorized` only ever comes with 401, `conflict` never answers a send). */
const isSendRefusal = (error: { code: string }): error is Err => error.code !== 'unauthorized' && error.code !== 'conflict';

/**
 * HTTP twin of `message:send` (same idempotency key), for the service worker's background flush.
 * Refusals come back as the protocol's Ack; a network failure throws; 401 throws ApiError.
 */
export async function postRoomMessage(token: string, payload: SendPayload): Promise<Ack<{ message: Message }>> {
  const response = await api.rooms[':room'].messages.$post(
    { param: { room: encodeURIComponent(payload.room) }, json: { clientOffset: payload.clientOffset, content: payload.content } },
    options(token),
  );
  const unavailable: Ack<{ message: Message }> = {
    ok: false,
    error: { code: 'unavailable', message: `The server answered ${response.status}` },
  };
  if (response.ok) {
    const body = await response.json().catch(() => undefined);
    return body?.message ? { ok: true, message: body.message } : unavailable;
  }
  if (response.status === 401) throw new ApiError(401, 'unauthorized');
  const error = (await response.json().catch(() => undefined))?.error;
  return error && isSendRefusal(error) ? { ok: false, error } : unavailable;
}

/** Extension `PUT /api/me/settings`: whether others may see how far the caller read. */
export async function putSettings(token: string, settings: { readReceipts: boolean }): Promise<void> {
  const response = await api.me.settings.$put({ json: settings }, options(token));
  if (!response.ok) throw await refusal(response);
}

/**
 * GET with a query string: these routes read their query by hand (no validator the typed client can see),
 * so the query is added here and the answer typed by the protocol.
 */
async function getWithQuery<T>(token: string, path: string, query: Record<string, string>): Promise<T> {
  const response = await fetch(`/api${path}?${new URLSearchParams(query).toString()}`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw await refusal(response);
  return (await response.json()) as T;
}

/** Extension `GET /api/rooms/:room/receipts`: how many members received and read `seq`. */
export function fetchReceipts(token: string, room: RoomId, seq: number): Promise<ReceiptCounts> {
  return getWithQuery<ReceiptCounts>(token, `/rooms/${encodeURIComponent(room)}/receipts`, { seq: String(seq) });
}

/** A page of a room's history around `seq` (the message itself, what came just before and after), as the server holds it now. */
export async function fetchMessagesAround(token: string, room: RoomId, seq: number): Promise<Message[]> {
  const page = await getWithQuery<{ messages: Message[] }>(token, `/rooms/${encodeURIComponent(room)}/messages`, {
    around: String(seq),
    limit: '50',
  });
  return page.messages;
}

/**
 * The route reads its query without a validator, so Hono's client does not type one: add it to the URL
 * the typed call builds (the answer keeps the route's type).
 */
function withQuery(query: Record<string, string>): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return fetch(url, init);
  };
}

/** Which page of a room's history: the `limit` messages just before a seq, or a page around one. Answers are in seq order, oldest first. */
export type HistoryPage = { before: number; limit: number } | { around: number; limit: number };

/** Extension `GET /api/rooms/:room/messages?before=|around=`: older messages, and a message's context. */
export async function fetchHistory(token: string, room: string, page: HistoryPage): Promise<Message[]> {
  const query: Record<string, string> =
    'before' in page
      ? { before: String(page.before), limit: String(page.limit) }
      : { around: String(page.around), limit: String(page.limit) };
  const response = await api.rooms[':room'].messages.$get(
    { param: { room: encodeURIComponent(room) } },
    { ...options(token), fetch: withQuery(query) },
  );
  if (!response.ok) throw await refusal(response);
  return (await response.json()).messages;
}

/** Extension `GET /api/search`: the server's matches in the caller's rooms, best first; `next` asks for the following page. */
export async function searchServer(token: string, q: string, cursor?: string): Promise<{ results: SearchResult[]; next?: string }> {
  const response = await api.search.$get({ query: cursor ? { q, cursor } : { q } }, options(token));
  if (!response.ok) throw await refusal(response);
  const body = await response.json();
  return 'next' in body ? { results: body.results, next: body.next } : { results: body.results };
}
