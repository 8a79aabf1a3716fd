import { createPublicKey, verify } from 'node:crypto';
import webpush from 'web-push';
import { describe, expect, it } from 'vitest';
import { generateVapidKeys } from '../../../server/push/service';

describe('VAPID keys made with node:crypto', () => {
  it('are what web-push expects, and a JWT it signs with them verifies against the public key', () => {
    const keys = generateVapidKeys();
    expect(Buffer.from(keys.publicKey, 'base64url')).toHaveLength(65);
    expect(Buffer.from(keys.privateKey, 'base64url')).toHaveLength(32);
    expect(keys.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(generateVapidKeys().privateKey).not.toBe(keys.privateKey);

    const expiration = Math.floor(Date.now() / 1000) + 3600;
    const headers = webpush.getVapidHeaders(
      'https://push.example',
      'mailto:ops@example.org',
      keys.publicKey,
      keys.privateKey,
      'aes128gcm',
      expiration,
    );
    const jwt = /^vapid t=([^,]+), k=(.+)$/.exec(headers.Authorization);
    expect(jwt?.[2]).toBe(keys.publicKey);
    const [header, payload, signature] = (jwt?.[1] ?? '').split('.');
    const raw = Buffer.from(keys.publicKey, 'base64url');
    const publicKey = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') },
      format: 'jwk',
    });
    const signed = Buffer.from(`${header}.${payload}`);
    expect(verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature ?? '', 'base64url'))).toBe(true);
  });
});
