/**
 * Where the server may send pushes. A subscription's endpoint is a URL a client chose and the
 * server will request: without rules that is server-side request forgery (an endpoint at
 * http://169.254.169.254/ or at a database on the private network). So: only https endpoints
 * under the push services' host names (CHAT_PUSH_ENDPOINTS), and every address the name
 * resolves to must be public, checked when connecting (push/deliver.ts), not only when
 * subscribing: a name may resolve elsewhere later (DNS rebinding). An exact origin in the
 * list (a test's loopback fake) is trusted as it is, address included.
 */
import { createECDH } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { PushEndpointRule } from '../config';

/** The exact origin this endpoint is allowed by, if any (its addresses are then not checked). */
export function trustedOrigin(endpoint: URL, rules: readonly PushEndpointRule[]): boolean {
  return rules.some((rule) => rule.kind === 'origin' && rule.origin === endpoint.origin);
}

/** Why the server will not send to this endpoint, or null when it may (addresses are checked at send time). */
export function endpointRefusal(endpoint: string, rules: readonly PushEndpointRule[]): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'endpoint must be a URL';
  }
  if (url.username || url.password) return 'endpoint must not carry credentials';
  if (trustedOrigin(url, rules)) return null;
  if (url.protocol !== 'https:') return 'endpoint must be https';
  if (url.port !== '' && url.port !== '443') return 'endpoint must use the https port';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) return 'endpoint must name a push service, not an address';
  const known = rules.some((rule) => rule.kind === 'suffix' && (host === rule.host || host.endsWith(`.${rule.host}`)));
  return known ? null : `endpoint ${host} is not a push service this server sends to`;
}

const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** An IPv4 address carried inside an IPv6 one (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::), if any. */
function embeddedIpv4(address: string): string | null {
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex) return null;
  const high = parseInt(hex[1], 16);
  const low = parseInt(hex[2], 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Whether an address is reachable only from inside (loopback, private, link-local, …) or not an address at all. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return NOT_PUBLIC.check(address, 'ipv4');
  if (family !== 6) return true;
  const inner = embeddedIpv4(address);
  if (inner) return NOT_PUBLIC.check(inner, 'ipv4');
  return NOT_PUBLIC.check(address, 'ipv6');
}

/** Whether a subscription's p256dh is a point on P-256 (web-push could not encrypt to it otherwise). */
export function isP256Point(p256dh: string): boolean {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(Buffer.from(p256dh, 'base64url'));
    return true;
  } catch {
    return false;
  }
}
