/**
 * Which devices have the app open and on screen, on any process: the sockets of their session
 * channels, fetched through the adapter (cluster or Redis), so a device connected to another
 * worker or instance counts. A socket whose app said it is hidden does not.
 */
import { sessionChannel } from './channels';
import type { ChatServer } from './types';

/** Asking every process takes one round trip; a process that does not answer fails the question. */
const ASK_TIMEOUT_MS = 3_000;

export async function awakeSessions(io: ChatServer, sessionIds: string[]): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const sockets = await io.in(sessionIds.map(sessionChannel)).timeout(ASK_TIMEOUT_MS).fetchSockets();
  return new Set(sockets.filter((socket) => socket.data.hidden !== true).map((socket) => socket.data.sessionId));
}
