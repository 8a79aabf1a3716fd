/**
 * Linking a device without a passkey: a signed-in device asks for a short
 * one-time code (and a link holding it, for a QR code); the new device redeems
 * it for a session of its own. Codes last 5 minutes, work once, are kept only
 * as hashes, and redeeming pays from the per-address account budget, so
 * guessing 40 bits of code is out of reach.
 */
import { randomInt } from 'node:crypto';
import { LINK_CODE_ALPHABET, LINK_CODE_CHARS } from '../../shared/limits';
import type { Store } from '../store/store';
import { hashToken } from './identity';

export const LINK_CODE_TTL_MS = 5 * 60_000;

/** Eight characters of an unambiguous alphabet, shown as XXXX-XXXX. */
export function newLinkCode(): string {
  let code = '';
  for (let index = 0; index < LINK_CODE_CHARS; index++) code += LINK_CODE_ALPHABET[randomInt(LINK_CODE_ALPHABET.length)];
  return code;
}

export const displayCode = (code: string): string => `${code.slice(0, LINK_CODE_CHARS / 2)}-${code.slice(LINK_CODE_CHARS / 2)}`;

export async function createLink(store: Store, userId: string, origin: string, now = Date.now()) {
  const code = newLinkCode();
  const expiresAt = now + LINK_CODE_TTL_MS;
  await store.saveLinkCode(hashToken(code), userId, expiresAt);
  // In the fragment, so the code never reaches a server log or a Referer.
  return { code: displayCode(code), url: `${origin}/#link=${displayCode(code)}`, expiresAt };
}

/** The account a (normalised) code signs in to, once; null when unknown, used or expired. */
export function redeemLink(store: Store, code: string, now = Date.now()): Promise<string | null> {
  return store.takeLinkCode(hashToken(code), now);
}
