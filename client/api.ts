/** The only fetch() calls: the HTTP half of the protocol (session, rooms). */
import type { ErrorBody, RoomSummary, SessionCreated, User } from '../shared/protocol';

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

export async function fetchRooms(token: string): Promise<RoomSummary[]> {
  return (await request<{ rooms: RoomSummary[] }>('/api/rooms', {}, token)).rooms;
}
