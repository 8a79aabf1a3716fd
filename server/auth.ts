/** Identity secrets: minting user ids and bearer tokens, and hashing tokens so the store never holds one. */
import { createHash, randomBytes } from 'node:crypto';
import type { User } from '../shared/protocol';
import type { Store } from './store/store';

/** 72 random bits; ids only need to be unique, they are not secrets. */
export const newUserId = (): string => randomBytes(9).toString('base64url');

/** 256 random bits, well above the protocol's 128. */
export const newToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

export async function authenticate(store: Store, token: string | null): Promise<User | null> {
  if (!token || token.length > 200) return null;
  return store.userByTokenHash(hashToken(token));
}
