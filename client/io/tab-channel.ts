/** Tells the app's other open tabs that the outbox in IndexedDB changed, so they show and send the same queue. */
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('offline-chat-outbox') : undefined;

export function announceOutboxChange(): void {
  channel?.postMessage('changed');
}

export function onOutboxChange(listener: () => void): void {
  channel?.addEventListener('message', () => listener());
}
