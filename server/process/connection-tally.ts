/**
 * The cluster's open connections, counted in the primary: globally and per
 * client address. A connection counts from the moment the router accepts it
 * until it closes, in the router or in the worker it was handed to (the worker
 * reports each close; a worker that dies takes its connections with it).
 */
export type ConnectionTally = {
  /** Counts a new connection, or returns false when the cluster or this address is at its cap. */
  open(address: string): boolean;
  /** A connection the router still held has closed. */
  close(address: string): void;
  /** The connection now lives in worker `workerId`. */
  handedTo(workerId: number, address: string): void;
  /** Worker `workerId` reports one of its connections closed. */
  closedIn(workerId: number, address: string): void;
  /** Worker `workerId` died: its connections died with it. */
  workerGone(workerId: number): void;
  total(): number;
};

export type ConnectionCaps = { maxConnections: number; maxConnectionsPerAddress: number };

export function createConnectionTally(caps: ConnectionCaps): ConnectionTally {
  const byAddress = new Map<string, number>();
  const byWorker = new Map<number, Map<string, number>>();
  let total = 0;

  const add = (counts: Map<string, number>, address: string, delta: number) => {
    const count = (counts.get(address) ?? 0) + delta;
    if (count > 0) counts.set(address, count);
    else counts.delete(address);
  };
  const release = (address: string, count = 1) => {
    total -= count;
    add(byAddress, address, -count);
  };

  return {
    open(address) {
      if (total >= caps.maxConnections || (byAddress.get(address) ?? 0) >= caps.maxConnectionsPerAddress) return false;
      total++;
      add(byAddress, address, 1);
      return true;
    },
    close: (address) => release(address),
    handedTo(workerId, address) {
      let counts = byWorker.get(workerId);
      if (!counts) byWorker.set(workerId, (counts = new Map()));
      add(counts, address, 1);
    },
    closedIn(workerId, address) {
      const counts = byWorker.get(workerId);
      // A report about a connection we never counted (a forged message cannot reach here, but a late one after workerGone can).
      if (!counts?.has(address)) return;
      add(counts, address, -1);
      release(address);
    },
    workerGone(workerId) {
      const counts = byWorker.get(workerId);
      byWorker.delete(workerId);
      for (const [address, count] of counts ?? []) release(address, count);
    },
    total: () => total,
  };
}
