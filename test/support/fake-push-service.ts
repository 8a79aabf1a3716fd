/**
 * A push service on loopback, as strict as the real ones about what matters: every request must
 * carry a VAPID JWT (ES256) signed by the key the chat server publishes at GET /api/push/key,
 * for this origin (aud), expiring in the future within 24 h, and an aes128gcm body this test's
 * subscriber can decrypt (RFC 8291: ECDH + HKDF + AES-128-GCM, done here from node:crypto).
 * A subscriber is a real P-256 key pair and auth secret; its answers can be scripted (410, 429).
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedPush = {
  subscriber: string;
  /** The decrypted payload, parsed. */
  payload: unknown;
  ttl: number;
  topic: string | undefined;
  urgency: string | undefined;
  /** The `k` of the VAPID header: the server's public key. */
  vapidKey: string;
};

export type Answer = { status: number; headers?: Record<string, string> };

export type Subscriber = {
  id: string;
  /** The browser's PushSubscription JSON for POST /api/push/subscriptions. */
  subscription: { endpoint: string; expirationTime: null; keys: { p256dh: string; auth: string } };
};

export type FakePushService = {
  origin: string;
  subscriber(id: string): Subscriber;
  /** Answers for the subscriber's next requests, in order; then 201 again. */
  answer(id: string, ...answers: Answer[]): void;
  /** Every push decrypted and accepted (2xx), in arrival order. */
  received: ReceivedPush[];
  /** Every request per subscriber, whatever it was answered. */
  requests: Map<string, number>;
  /** Requests refused for a bad JWT or body: a test expects none. */
  faults: string[];
  close(): Promise<void>;
};

const b64 = (buffer: Buffer): string => buffer.toString('base64url');

export function verifyVapid(header: string | undefined, origin: string, now: number): { key: string } | string {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) return `Authorization is not "vapid t=…, k=…": ${header}`;
  const [, token, key] = match;
  const [head, body, signature] = token.split('.');
  const headJson = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string; typ?: string };
  if (headJson.alg !== 'ES256') return `JWT alg ${headJson.alg}`;
  const raw = Buffer.from(key, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) return 'k is not an uncompressed P-256 point';
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64(raw.subarray(1, 33)), y: b64(raw.subarray(33)) },
    format: 'jwk',
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return 'JWT signature does not verify with k';
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { aud?: string; exp?: number; sub?: string };
  if (claims.aud !== origin) return `JWT aud ${claims.aud}, expected ${origin}`;
  const nowSeconds = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds || claims.exp > nowSeconds + 24 * 3600) return `JWT exp ${claims.exp}`;
  if (!/^(mailto:|https:)/.test(claims.sub ?? '')) return `JWT sub ${claims.sub}`;
  return { key };
}

/** RFC 8291 + RFC 8188, one record: what a browser does with the body. */
export function decryptAes128gcm(body: Buffer, ecdh: ECDH, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const idLength = body[20];
  const senderKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with 0x02 and then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

/** A request's whole body (the bench's push sink reads its pushes the same way). */
export const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

export async function startFakePushService(port = 0): Promise<FakePushService> {
  const subscribers = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  const scripted = new Map<string, Answer[]>();
  const received: ReceivedPush[] = [];
  const requests = new Map<string, number>();
  const faults: string[] = [];
  let origin = '';

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(request.url ?? '')?.[1] ?? '';
      const subscriber = subscribers.get(id);
      if (request.method !== 'POST' || !subscriber) {
        response.writeHead(404).end();
        return;
      }
      requests.set(id, (requests.get(id) ?? 0) + 1);
      const next = scripted.get(id)?.shift();
      if (next) {
        response.writeHead(next.status, next.headers).end();
        return;
      }
      const vapid = verifyVapid(request.headers.authorization, origin, Date.now());
      const fault = (reason: string) => {
        faults.push(`${id}: ${reason}`);
        response.writeHead(400).end(reason);
      };
      if (typeof vapid === 'string') return fault(vapid);
      if (request.headers['content-encoding'] !== 'aes128gcm') return fault(`Content-Encoding ${request.headers['content-encoding']}`);
      const ttl = Number(request.headers.ttl);
      if (!Number.isInteger(ttl) || ttl < 0) return fault(`TTL ${request.headers.ttl}`);
      if (body.length > 4096) return fault(`body of ${body.length} bytes`);
      let payload: unknown;
      try {
        payload = JSON.parse(decryptAes128gcm(body, subscriber.ecdh, subscriber.auth).toString('utf8'));
      } catch (error) {
        return fault(`cannot decrypt: ${(error as Error).message}`);
      }
      const topic = request.headers.topic as string | undefined;
      received.push({ subscriber: id, payload, ttl, topic, urgency: request.headers.urgency as string | undefined, vapidKey: vapid.key });
      response.writeHead(201).end();
    })().catch((error: unknown) => {
      faults.push(String(error));
      response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    received,
    requests,
    faults,
    subscriber(id) {
      let keys = subscribers.get(id);
      if (!keys) {
        const ecdh = createECDH('prime256v1');
        ecdh.generateKeys();
        keys = { ecdh, auth: randomBytes(16) };
        subscribers.set(id, keys);
      }
      return {
        id,
        subscription: {
          endpoint: `${origin}/push/${id}`,
          expirationTime: null,
          keys: { p256dh: b64(keys.ecdh.getPublicKey()), auth: b64(keys.auth) },
        },
      };
    },
    answer(id, ...answers) {
      scripted.set(id, [...(scripted.get(id) ?? []), ...answers]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
