/**
 * The address per-client budgets are keyed by. Behind a reverse proxy that sets
 * X-Forwarded-For (CHAT_TRUST_PROXY=1) it is the last address the proxy added;
 * otherwise the socket's peer. IPv6 clients are keyed by their /64, which one
 * home or phone usually holds whole; an IPv4-mapped address counts as IPv4.
 */
import { isIPv6 } from 'node:net';

export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trustProxy: boolean): string {
  const forwarded = trustProxy ? forwardedFor?.split(',').at(-1)?.trim() : undefined;
  return addressKey(forwarded || peer || 'unknown');
}

export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail = ''] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - left.length - right.length : 0;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
