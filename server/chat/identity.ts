/** Identity secrets: minting user ids and bearer tokens, and hashing tokens so the store never holds one. */
import { createHash, randomBytes } from 'node:crypto';
import { MAX_TOKEN_CHARS } from '../../shared/limits';
import type { User } from '../../shared/protocol';
import type { Store } from '../store/store';

/** 72 random bits; ids only need to be unique, they are not secrets. */
export const newUserId = (): string => randomBytes(9).toString('base64url');

/** 256 random bits, well above the protocol's 128. */
export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export async function authenticate(store: Store, token: string | null): Promise<User | null> {
  if (!token || token.length > MAX_TOKEN_CHARS) return null;
  return store.userByTokenHash(hashToken(token));
}
