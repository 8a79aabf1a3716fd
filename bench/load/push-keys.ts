/**
 * The bench's push subscribers: member n's P-256 key pair and auth secret derived from a seed,
 * so the orchestrator (which writes the subscriptions into the store) and the load process
 * (whose loopback push service decrypts) agree without passing 10,000 private keys around.
 */
import { createECDH, createHash, type ECDH } from 'node:crypto';

export type BenchSubscriber = { ecdh: ECDH; auth: Buffer };

const digest = (text: string) => createHash('sha256').update(text).digest();

export function benchSubscriber(seed: string, member: number): BenchSubscriber {
  const ecdh = createECDH('prime256v1');
  // A SHA-256 value is a valid P-256 scalar but for a chance of about 2^-32.
  ecdh.setPrivateKey(digest(`${seed} key ${member}`));
  return { ecdh, auth: digest(`${seed} auth ${member}`).subarray(0, 16) };
}

/** The browser's subscription keys (URL-safe base64) for member n. */
export function benchSubscriptionKeys(seed: string, member: number): { p256dh: string; auth: string } {
  const { ecdh, auth } = benchSubscriber(seed, member);
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') };
}
