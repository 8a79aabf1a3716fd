/**
 * Our aes128gcm push body (RFC 8291 over RFC 8188, from node:crypto) against the decryption the
 * fake push service does as a browser would: it decrypts, declares one 4096-byte record with the
 * sender's fresh P-256 key in the header, never repeats a key or salt, and refuses bad keys.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptAes128gcm } from '../../../server/push/encrypt';
import { decryptAes128gcm } from '../../support/fake-push-service';

function browser() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, p256dh: ecdh.getPublicKey().toString('base64url'), authText: auth.toString('base64url') };
}

describe('encryptAes128gcm', () => {
  it('makes a body the subscriber decrypts, as one record of 4096 with its fresh key in the header', () => {
    const device = browser();
    const text = JSON.stringify({ kind: 'message', content: 'héllo 👋'.repeat(200) });
    const body = encryptAes128gcm(text, device.p256dh, device.authText);
    expect(decryptAes128gcm(body, device.ecdh, device.auth).toString('utf8')).toBe(text);
    expect(body.readUInt32BE(16)).toBe(4096);
    expect(body[20]).toBe(65);
    expect(body[21]).toBe(4);
    // Header 86 + plaintext + delimiter 1 + tag 16.
    expect(body.length).toBe(86 + Buffer.byteLength(text) + 1 + 16);
  });

  it('uses a new key pair and salt for every push', () => {
    const device = browser();
    const one = encryptAes128gcm('same', device.p256dh, device.authText);
    const two = encryptAes128gcm('same', device.p256dh, device.authText);
    expect(one.subarray(0, 16).equals(two.subarray(0, 16))).toBe(false);
    expect(one.subarray(21, 86).equals(two.subarray(21, 86))).toBe(false);
  });

  it('refuses a key that is not a P-256 point and an auth secret that is not 16 bytes', () => {
    const device = browser();
    expect(() => encryptAes128gcm('x', Buffer.alloc(65, 7).toString('base64url'), device.authText)).toThrow();
    expect(() => encryptAes128gcm('x', device.p256dh, randomBytes(8).toString('base64url'))).toThrow(/16 bytes/);
  });
});
