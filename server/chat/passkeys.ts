/**
 * Passkeys (WebAuthn, @simplewebauthn/server): registering one for the signed-in
 * account and signing in with one on any device. Every challenge is kept in the
 * store for a short while and taken once, so a challenge handed out by one
 * worker or instance verifies on any other, and never twice.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { User } from '../../shared/protocol';
import type { PasskeyRecord, Store } from '../store/store';

/** Who the passkeys are for: the site's registrable host and its origin. */
export type RelyingParty = { id: string; name: string; origin: string };

/** A challenge lives this long: enough to answer a system dialog, not to be replayed later. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

export type PasskeyOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The challenge inside a response's clientDataJSON, which says which stored challenge it answers. */
function challengeOf(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = typeof data === 'object' && data !== null ? (data as { challenge?: unknown }).challenge : undefined;
    return typeof challenge === 'string' && challenge.length <= 512 ? challenge : null;
  } catch {
    return null;
  }
}

export async function registrationOptions(store: Store, rp: RelyingParty, user: User): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await store.passkeysOf(user.id);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.handle ? `@${user.handle}` : user.name,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    // A discoverable credential: on a fresh device the authenticator offers it without a user name.
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: passkey.transports })),
  });
  await store.saveChallenge({
    challenge: options.challenge,
    purpose: 'register',
    userId: user.id,
    expiresAt: Date.now() + CHALLENGE_TTL_MS,
  });
  return options;
}

export async function verifyRegistration(
  store: Store,
  rp: RelyingParty,
  user: User,
  response: RegistrationResponseJSON,
  device: string,
): Promise<PasskeyOutcome<PasskeyRecord>> {
  const challenge = challengeOf(response.response.clientDataJSON);
  const stored = challenge ? await store.takeChallenge(challenge, 'register', Date.now()) : null;
  if (!stored || stored.userId !== user.id) return { ok: false, reason: 'this passkey request expired or was already used; start again' };
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: stored.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
    });
  } catch (error) {
    return { ok: false, reason: `the passkey could not be verified: ${(error as Error).message}` };
  }
  if (!verification.verified) return { ok: false, reason: 'the passkey could not be verified' };
  const { credential } = verification.registrationInfo;
  const passkey: PasskeyRecord = {
    id: credential.id,
    userId: user.id,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: credential.transports ?? [],
    device,
    createdAt: Date.now(),
    lastUsedAt: null,
  };
  await store.addPasskey(passkey);
  return { ok: true, value: passkey };
}

export async function loginOptions(store: Store, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // No allowCredentials: the authenticator offers this site's discoverable passkeys (and autofill can show them).
  const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: 'preferred' });
  await store.saveChallenge({ challenge: options.challenge, purpose: 'login', userId: null, expiresAt: Date.now() + CHALLENGE_TTL_MS });
  return options;
}

/** The user a valid sign-in response belongs to. */
export async function verifyLogin(store: Store, rp: RelyingParty, response: AuthenticationResponseJSON): Promise<PasskeyOutcome<string>> {
  const challenge = challengeOf(response.response.clientDataJSON);
  const stored = challenge ? await store.takeChallenge(challenge, 'login', Date.now()) : null;
  if (!stored) return { ok: false, reason: 'this sign-in request expired or was already used; start again' };
  const passkey = await store.passkeyById(response.id);
  if (!passkey) return { ok: false, reason: 'this passkey is not registered here (it may have been removed)' };
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: stored.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.counter,
        transports: passkey.transports,
      },
    });
  } catch (error) {
    return { ok: false, reason: `the passkey could not be verified: ${(error as Error).message}` };
  }
  if (!verification.verified) return { ok: false, reason: 'the passkey could not be verified' };
  await store.passkeyUsed(passkey.id, verification.authenticationInfo.newCounter, Date.now());
  return { ok: true, value: passkey.userId };
}
