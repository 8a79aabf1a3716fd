/**
 * One push to one device: encrypted (aes128gcm, encrypt.ts) and signed (VAPID, by web-push, once
 * per push service and hours), sent by us so
 * the connection goes only to an address we checked. The lookup resolves the endpoint's host
 * and refuses if any of its addresses is private (chat/push-endpoints.ts), and the socket
 * connects to the address that was checked: a name that resolves elsewhere a second later
 * (DNS rebinding) cannot redirect it.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import webpush from 'web-push';
import { encryptAes128gcm } from './encrypt';
import { endpointRefusal, isPrivateAddress, trustedOrigin } from '../chat/push-endpoints';
import type { PushEndpointRule } from '../config';
import type { PushSubscriptionRecord, VapidKeys } from '../store/push-store';

/**
 * `sent`: the push service took it. `gone`: the subscription is dead (404/410), delete it.
 * `retry`: try again later (429, 5xx, network), after `retryAfterMs` if the service said.
 * `refused`: we will not send there (a private address, a host not allowed). `failed`: any other answer.
 */
export type Delivery =
  | { outcome: 'sent'; status: number }
  | { outcome: 'gone'; status: number }
  | { outcome: 'retry'; status: number | null; retryAfterMs: number | null; reason: string }
  | { outcome: 'refused'; reason: string }
  | { outcome: 'failed'; status: number; reason: string };

export type DeliverOptions = {
  vapid: VapidKeys & { subject: string };
  rules: readonly PushEndpointRule[];
  /** Seconds the push service may keep it for an offline device. */
  ttlSeconds: number;
  topic?: string;
  urgency?: 'very-low' | 'low' | 'normal' | 'high';
};

const REQUEST_TIMEOUT_MS = 15_000;
// Kept-alive connections to the few push services: a burst of pushes does not pay a TLS handshake each.
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 64 });
const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export class RefusedAddress extends Error {}

/** A VAPID JWT lives this long; a cached one is renewed when less than an hour is left. */
const JWT_LIFETIME_S = 12 * 3600;
const jwtCache = new Map<string, { authorization: string; renewAt: number }>();

/**
 * The VAPID Authorization for a push service origin, signed once per origin and hour: signing
 * per push (web-push re-encodes the key for every JWT) cost more than everything else together.
 */
function vapidAuthorization(audience: string, vapid: DeliverOptions['vapid']): string {
  const now = Date.now();
  const key = `${audience} ${vapid.publicKey}`;
  const cached = jwtCache.get(key);
  if (cached && cached.renewAt > now) return cached.authorization;
  const expiration = Math.floor(now / 1000) + JWT_LIFETIME_S;
  const headers = webpush.getVapidHeaders(audience, vapid.subject, vapid.publicKey, vapid.privateKey, 'aes128gcm', expiration);
  const authorization = String(headers.Authorization);
  jwtCache.set(key, { authorization, renewAt: now + (JWT_LIFETIME_S - 3600) * 1000 });
  return authorization;
}

/** Resolves like dns.lookup, then refuses unless every address is public. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const list = Array.isArray(addresses) ? addresses : [];
    const bad = list.find((entry) => isPrivateAddress(entry.address));
    if (list.length === 0 || bad)
      return callback(new RefusedAddress(`${hostname} resolves to a private address (${bad?.address ?? 'none'})`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    callback(null, list[0].address, list[0].family);
  });
};

/** Retry-After as seconds or an HTTP date, in ms from now. */
function retryAfter(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

export async function deliver(subscription: PushSubscriptionRecord, payload: string, options: DeliverOptions): Promise<Delivery> {
  const refusal = endpointRefusal(subscription.endpoint, options.rules);
  if (refusal) return { outcome: 'refused', reason: refusal };
  const url = new URL(subscription.endpoint);
  let body: Buffer;
  try {
    body = encryptAes128gcm(payload, subscription.p256dh, subscription.auth);
  } catch (error) {
    // Keys that cannot be encrypted to: the subscription is useless.
    return { outcome: 'refused', reason: `cannot encrypt to this subscription (${(error as Error).message})` };
  }
  const headers: Record<string, string | number> = {
    TTL: options.ttlSeconds,
    'Content-Encoding': 'aes128gcm',
    'Content-Type': 'application/octet-stream',
    'Content-Length': body.length,
    Urgency: options.urgency ?? 'normal',
    Authorization: vapidAuthorization(url.origin, options.vapid),
  };
  if (options.topic) headers.Topic = options.topic;
  const secure = url.protocol === 'https:';
  const trusted = trustedOrigin(url, options.rules);
  return new Promise<Delivery>((resolve) => {
    const request = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        headers,
        agent: secure ? httpsAgent : httpAgent,
        // An exact origin from the config (a test's loopback fake) is reached as it is.
        lookup: trusted ? undefined : publicOnlyLookup,
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // The body says nothing we act on; read it so the connection can be reused.
        response.resume();
        response.on('end', () => {
          if (status >= 200 && status < 300) resolve({ outcome: 'sent', status });
          else if (status === 404 || status === 410) resolve({ outcome: 'gone', status });
          else if (status === 429 || status >= 500)
            resolve({ outcome: 'retry', status, retryAfterMs: retryAfter(response.headers['retry-after']), reason: `status ${status}` });
          else resolve({ outcome: 'failed', status, reason: `status ${status}` });
        });
        response.on('error', (error) => resolve({ outcome: 'retry', status, retryAfterMs: null, reason: error.message }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => {
      if (error instanceof RefusedAddress) resolve({ outcome: 'refused', reason: error.message });
      else resolve({ outcome: 'retry', status: null, retryAfterMs: null, reason: error.message });
    });
    request.end(body);
  });
}
