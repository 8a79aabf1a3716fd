/**
 * The primary's half of @socket.io/cluster-adapter: relays the workers' adapter
 * messages (broadcasts, serverSideEmit, fetchSockets) to the other workers, and
 * responses back to the worker that asked.
 *
 * This is the library's `setupPrimary`, rewritten because importing it loads
 * socket.io-adapter and its dependencies into the primary: 9 MiB of RSS in a
 * process that otherwise only routes connections and commits. The message
 * source and the two response types are the library's own; a test holds them to
 * socket.io-adapter's values.
 */
import cluster, { type Worker } from 'node:cluster';

export const ADAPTER_MESSAGE_SOURCE = '_sio_adapter';
/** socket.io-adapter's MessageType.FETCH_SOCKETS_RESPONSE and SERVER_SIDE_EMIT_RESPONSE: answers go to the requester only. */
export const ADAPTER_RESPONSE_TYPES: ReadonlySet<number> = new Set([8, 10]);

type AdapterMessage = { source: typeof ADAPTER_MESSAGE_SOURCE; type: number; uid: string; requesterUid?: string };

function isAdapterMessage(message: unknown): message is AdapterMessage {
  return typeof message === 'object' && message !== null && (message as { source?: unknown }).source === ADAPTER_MESSAGE_SOURCE;
}

const ignore = (): void => undefined;

export function relayAdapterMessages(): void {
  /** Adapter uids (one per namespace) announced by each worker, so a response reaches only its requester. */
  const uids = new WeakMap<Worker, Set<string>>();
  cluster.on('message', (from: Worker, message: unknown) => {
    if (!isAdapterMessage(message)) return;
    const known = uids.get(from) ?? new Set<string>();
    known.add(message.uid);
    uids.set(from, known);
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (!worker || worker === from) continue;
      const requester = message.requesterUid;
      if (ADAPTER_RESPONSE_TYPES.has(message.type)) {
        if (requester !== undefined && uids.get(worker)?.has(requester)) worker.send(message, undefined, ignore);
      } else {
        worker.send(message, undefined, ignore);
      }
    }
  });
}
