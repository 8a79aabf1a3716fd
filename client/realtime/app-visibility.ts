/**
 * Tells the server whether the app is on screen (`app:visibility`, #16): a device whose socket is
 * connected but whose app is in the background still gets pushes, as if it were closed.
 */
import type { ChatSocket } from './socket';

export function reportAppVisibility(socket: ChatSocket): void {
  let told = false;
  const tell = () => {
    const hidden = document.visibilityState === 'hidden';
    // A new connection starts as visible on the server: only a hidden app has something to say then.
    if (!socket.connected || (!hidden && !told)) return;
    told = true;
    socket.emit('app:visibility', { hidden });
  };
  socket.on('connect', () => {
    told = false;
    tell();
  });
  document.addEventListener('visibilitychange', tell);
  // Loaded on demand, so the socket may have connected already.
  tell();
}
