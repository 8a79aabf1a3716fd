/** The only fetch() calls: the HTTP half of the protocol (session, profile, rooms). */
import type { Ack, ErrorBody, Message, RoomListing, SendPayload, SessionCreated, User } from '../../shared/protocol';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init: RequestInit = {}, token?: string): Promise<T> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const response = await fetch(path, { ...init, headers });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined;
    throw new ApiError(response.status, body?.error?.message ?? `The server answered ${response.status}`);
  }
  return (await response.json()) as T;
}

export function createSession(name: string): Promise<SessionCreated> {
  return request<SessionCreated>('/api/session', { method: 'POST', body: JSON.stringify({ name }) });
}

export async function fetchMe(token: string): Promise<User> {
  return (await request<{ user: User }>('/api/me', {}, token)).user;
}

/** The caller's rooms with read cursors, unread counts and each DM's other person. */
export async function fetchRooms(token: string): Promise<RoomListing[]> {
  return (await request<{ rooms: RoomListing[] }>('/api/rooms', {}, token)).rooms;
}

/** Extension `PATCH /api/me`: a new display name for the caller. */
export async function renameMe(token: string, name: string): Promise<User> {
  return (await request<{ user: User }>('/api/me', { method: 'PATCH', body: JSON.stringify({ name }) }, token)).user;
}

/**
 * HTTP twin of `message:send` (same idempotency key), for the service worker's background flush.
 * Refusals come back as the protocol's Ack; a network failure throws; 401 throws ApiError.
 */
export async function postRoomMessage(token: string, payload: SendPayload): Promise<Ack<{ message: Message }>> {
  const response = await fetch(`/api/rooms/${encodeURIComponent(payload.room)}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientOffset: payload.clientOffset, content: payload.content }),
  });
  const body = (await response.json().catch(() => undefined)) as Partial<{ message: Message } & ErrorBody> | undefined;
  if (response.ok && body?.message) return { ok: true, message: body.message };
  if (response.status === 401) throw new ApiError(401, 'unauthorized');
  if (body?.error?.code) return { ok: false, error: body.error };
  return { ok: false, error: { code: 'unavailable', message: `The server answered ${response.status}` } };
}
