/**
 * The socket lent out while it is connected and caught up, so stores can emit on it (room:read,
 * room:join, room:leave, dm:open, sync, typing) without knowing the connection store that owns it.
 */
import type { ChatSocket } from './socket';

let lent: ChatSocket | undefined;

/** The connection store lends its socket when a catch-up ends (`sync:done`)… */
export function lendLiveSocket(socket: ChatSocket): void {
  lent = socket;
}

/** …and takes it back as soon as it is not online any more (offline, reconnecting, catching up, stopped). */
export function withdrawLiveSocket(): void {
  lent = undefined;
}

/** The socket while it is connected and caught up, else undefined; the browser's word on the network counts first. */
export function liveSocket(): ChatSocket | undefined {
  return lent?.connected && navigator.onLine ? lent : undefined;
}
