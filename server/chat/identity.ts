/** Identity secrets: minting user, session and token ids, hashing tokens so the store never holds one, and checking a token. */
import { createHash, randomBytes } from 'node:crypto';
import { MAX_TOKEN_CHARS } from '../../shared/limits';
import type { Authenticated, Store } from '../store/store';

/** 72 random bits; ids only need to be unique, they are not secrets. */
export const newUserId = (): string => randomBytes(9).toString('base64url');
export const newSessionId = (): string => randomBytes(9).toString('base64url');

/** 256 random bits, well above the protocol's 128. */
export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The live session a bearer token belongs to; null when unknown, revoked, idle too long or malformed. */
export async function authenticate(store: Store, token: string | null, idleMs: number, now = Date.now()): Promise<Authenticated | null> {
  if (!token || token.length > MAX_TOKEN_CHARS) return null;
  return store.authenticate(hashToken(token), now, now - idleMs);
}
