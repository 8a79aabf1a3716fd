/** HTTP and socket steps of the Web Push tests: subscribing, handles, levels, rooms, and waiting for the push queue. */
import Database from 'better-sqlite3';
import type { NotificationLevel } from '../../shared/push';
import type { Message } from '../../shared/protocol';
import { connectAndWait, createSocket, waitFor, type ChatSocket } from './clients';

async function call(url: string, method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function subscribe(url: string, token: string, subscription: unknown): Promise<Response> {
  return call(url, 'POST', '/api/push/subscriptions', token, subscription);
}

export async function expectOk(response: Promise<Response>, status: number): Promise<unknown> {
  const answer = await response;
  const text = await answer.text();
  if (answer.status !== status) throw new Error(`${answer.url} answered ${answer.status}, expected ${status}: ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export const claimHandle = (url: string, token: string, handle: string) =>
  expectOk(call(url, 'PUT', '/api/me/handle', token, { handle }), 200);

export const setLevel = (url: string, token: string, room: string, level: NotificationLevel) =>
  expectOk(call(url, 'PUT', `/api/rooms/${encodeURIComponent(room)}/notifications`, token, { level }), 200);

let offsets = 0;
export async function post(url: string, token: string, room: string, content: string): Promise<Message> {
  const body = (await expectOk(
    call(url, 'POST', `/api/rooms/${encodeURIComponent(room)}/messages`, token, {
      clientOffset: `push-${process.pid}-${++offsets}`,
      content,
    }),
    201,
  )) as { message: Message };
  return body.message;
}

/** Joins a public room over a short-lived socket (joining is a socket event). */
export async function joinRoom(url: string, token: string, room: string): Promise<void> {
  const socket: ChatSocket = createSocket(url, token);
  await connectAndWait(socket);
  try {
    const answer = await socket.timeout(10_000).emitWithAck('room:join', { room });
    if (!answer.ok) throw new Error(`room:join ${room}: ${answer.error.message}`);
  } finally {
    socket.disconnect();
  }
}

/** Waits until the SQLite push queue holds nothing but what is waiting for a later retry. */
export async function queueSettled(dbPath: string, timeoutMs = 15_000): Promise<void> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const busy = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM push_queue WHERE not_before <= ?');
    await waitFor(() => busy.get(Date.now())?.n === 0, timeoutMs, 'the push queue to settle');
  } finally {
    db.close();
  }
}

export function queueLength(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM push_queue').get()?.n ?? 0;
  } finally {
    db.close();
  }
}

export function subscriptionCount(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM push_subscriptions').get()?.n ?? 0;
  } finally {
    db.close();
  }
}

/** Opens a DM with `userId` over a short-lived socket; returns its room id. */
export async function openDm(url: string, token: string, userId: string): Promise<string> {
  const socket: ChatSocket = createSocket(url, token);
  await connectAndWait(socket);
  try {
    const answer = await socket.timeout(10_000).emitWithAck('dm:open', { userId });
    if (!answer.ok) throw new Error(`dm:open: ${answer.error.message}`);
    return answer.room;
  } finally {
    socket.disconnect();
  }
}
