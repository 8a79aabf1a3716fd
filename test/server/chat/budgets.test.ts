import { describe, expect, it } from 'vitest';
import { createLocalBudgets } from '../../../server/chat/budgets';
import { addressKey, clientAddress } from '../../../server/chat/client-address';
import { readConfig } from '../../../server/config';

describe('budgets', () => {
  it('keeps one bucket per budget and key', () => {
    let now = 0;
    const budgets = createLocalBudgets(readConfig({ CHAT_RATE_ACTIONS: '1:2', CHAT_RATE_SIGNALS: '1:1' }).budgets, () => now);
    expect([budgets.take('action', 'ana'), budgets.take('action', 'ana')].every((decision) => decision.ok)).toBe(true);
    expect(budgets.take('action', 'ana')).toEqual({ ok: false, retryAfterMs: 1000 });
    // Another person, and another budget of the same person, are untouched.
    expect(budgets.take('action', 'bob').ok).toBe(true);
    expect(budgets.take('signal', 'ana').ok).toBe(true);
    now += 1000;
    expect(budgets.take('action', 'ana').ok).toBe(true);
  });

  it('turns every budget and per-person cap off with CHAT_RATE_LIMIT=0, unless a cap is set', () => {
    const off = readConfig({ CHAT_RATE_LIMIT: '0', CHAT_RATE_ACTIONS: '1:1' });
    expect(Object.values(off.budgets).every((limit) => limit === null)).toBe(true);
    expect(off.maxSocketsPerUser).toBe(100_000);
    expect(readConfig({ CHAT_RATE_LIMIT: '0', CHAT_MAX_SOCKETS_PER_USER: '5' }).maxSocketsPerUser).toBe(5);
    const on = readConfig({});
    expect(on.budgets.account).toEqual({ perSecond: 1, burst: 300 });
    expect(on.maxSocketsPerUser).toBe(100);
  });
});

describe('client addresses', () => {
  it('keys IPv6 clients by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('192.168.1.9')).toBe('192.168.1.9');
  });

  it('believes X-Forwarded-For only behind a trusted proxy, and then only its last hop', () => {
    expect(clientAddress('10.0.0.1', '6.6.6.6', false)).toBe('10.0.0.1');
    expect(clientAddress('10.0.0.1', 'forged, 203.0.113.5', true)).toBe('203.0.113.5');
    expect(clientAddress(undefined, undefined, false)).toBe('unknown');
  });
});
