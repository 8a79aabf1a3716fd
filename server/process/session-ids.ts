/**
 * Engine.io session ids that carry their worker, signed: `k<workerId>_<random><mac>`.
 * The router sends a request to the worker its `sid` names only when the mac is
 * right, so a URL cannot pick a worker unless that worker minted the session.
 * Routing needs no shared table, so no race between a worker announcing a
 * session and the client's next request reaching the primary first.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

const RANDOM_CHARS = 20; // 15 bytes in base64url
const MAC_CHARS = 16; // 12 bytes in base64url
const SID = new RegExp(`[?&]sid=k(\\d{1,9})_([A-Za-z0-9_-]{${RANDOM_CHARS}})([A-Za-z0-9_-]{${MAC_CHARS}})(?=[&# ]|$)`);

function mac(key: Buffer, workerId: string, random: string): Buffer {
  return createHmac('sha256', key).update(`${workerId}_${random}`).digest().subarray(0, 12);
}

/** Worker side: a fresh session id this worker can be found by. */
export function mintSessionId(key: Buffer, workerId: number): string {
  const random = randomBytes(15).toString('base64url');
  return `k${workerId}_${random}${mac(key, String(workerId), random).toString('base64url')}`;
}

/**
 * Worker side: an id for a session that is never routed by it (one opened over WebSocket): the
 * worker is named, for whoever reads logs, but there is no mac, so a request that names it anyway
 * goes round robin like any unsigned id.
 */
export function unroutedSessionId(workerId: number): string {
  // randomUUID draws from a cached pool of entropy: 0.2 µs, where randomBytes(15) took 3 µs in a loop and 24 µs in a storm.
  return `k${workerId}_${randomUUID()}`;
}

/** Primary side: the worker a request line's `sid` was minted by, or undefined (none, or forged). */
export function sessionOwner(key: Buffer, requestLine: string): number | undefined {
  const found = SID.exec(requestLine);
  if (!found) return undefined;
  const [, workerId, random, given] = found;
  const givenMac = Buffer.from(given, 'base64url');
  const expected = mac(key, workerId, random);
  return givenMac.length === expected.length && timingSafeEqual(givenMac, expected) ? Number(workerId) : undefined;
}
