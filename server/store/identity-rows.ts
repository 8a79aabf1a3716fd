/** How passkey and challenge rows read in both SQL stores and become store records. */
import type { ChallengeRecord, PasskeyRecord } from './store';

export type PasskeyRow = {
  id: string;
  user_id: string;
  public_key: Uint8Array;
  counter: number;
  transports: string;
  device: string;
  created_at: number;
  last_used_at: number | null;
};

export const PASSKEY_COLUMNS = 'id, user_id, public_key, counter, transports, device, created_at, last_used_at';

export function toPasskey(row: PasskeyRow): PasskeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    // Both drivers answer a Buffer; the library wants a plain Uint8Array view of the same bytes.
    publicKey: new Uint8Array(row.public_key),
    counter: row.counter,
    transports: row.transports ? row.transports.split(',') : [],
    device: row.device,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export type ChallengeRow = { challenge: string; purpose: ChallengeRecord['purpose']; user_id: string | null; expires_at: number };

export function toChallenge(row: ChallengeRow): ChallengeRecord {
  return { challenge: row.challenge, purpose: row.purpose, userId: row.user_id, expiresAt: row.expires_at };
}
