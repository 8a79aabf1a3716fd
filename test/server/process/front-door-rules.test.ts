/** The front door's decisions as plain functions: reading a request head, signed session ids, counting connections. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createConnectionTally } from '../../../server/process/connection-tally';
import { readHead } from '../../../server/process/request-head';
import { mintSessionId, sessionOwner, unroutedSessionId } from '../../../server/process/session-ids';

describe('readHead', () => {
  const head = (text: string) => readHead(Buffer.from(text, 'latin1'), 1024);

  it('waits for the end of the headers, however the bytes were split', () => {
    expect(head('GE')).toEqual({ state: 'partial' });
    expect(head('GET /x HTTP/1.1\r\nHost: a\r\n')).toEqual({ state: 'partial' });
    expect(head('GET /x?sid=1 HTTP/1.1\r\nHost: a\r\n\r\nbody')).toEqual({ state: 'complete', requestLine: 'GET /x?sid=1 HTTP/1.1' });
  });

  it('refuses what cannot be HTTP/1 at the first byte or line', () => {
    expect(head('\x16\x03')).toEqual({ state: 'refused', status: 400 });
    expect(head('get / HTTP/1.1\r\n')).toEqual({ state: 'refused', status: 400 });
    expect(head('GET / HTTP/2.0\r\n\r\n')).toEqual({ state: 'refused', status: 400 });
    expect(head('GET /a b HTTP/1.1\r\n\r\n')).toEqual({ state: 'refused', status: 400 });
  });

  it('refuses a head larger than the cap with 431, whether or not it ended', () => {
    expect(head(`GET / HTTP/1.1\r\nX: ${'a'.repeat(1100)}`)).toEqual({ state: 'refused', status: 431 });
    expect(head(`GET / HTTP/1.1\r\nX: ${'a'.repeat(1100)}\r\n\r\n`)).toEqual({ state: 'refused', status: 431 });
    expect(head(`GET /${'a'.repeat(1100)}`)).toEqual({ state: 'refused', status: 431 });
  });
});

describe('session ids', () => {
  const key = randomBytes(32);

  it('route to the worker that minted them', () => {
    const sid = mintSessionId(key, 7);
    expect(sid).toMatch(/^k7_/);
    expect(sessionOwner(key, `GET /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1`)).toBe(7);
    expect(sessionOwner(key, `GET /socket.io/?sid=${sid}&EIO=4 HTTP/1.1`)).toBe(7);
  });

  it('pick no worker when forged, tampered with, or signed by another cluster', () => {
    const sid = mintSessionId(key, 7);
    const line = (id: string) => `GET /socket.io/?EIO=4&transport=polling&sid=${id} HTTP/1.1`;
    expect(sessionOwner(key, line(sid.replace(/^k7_/, 'k1_')))).toBeUndefined();
    expect(sessionOwner(key, line(`k1_${'A'.repeat(36)}`))).toBeUndefined();
    expect(sessionOwner(randomBytes(32), line(sid))).toBeUndefined();
    expect(sessionOwner(key, line(`${sid}x`))).toBeUndefined();
    expect(sessionOwner(key, 'GET /api/rooms HTTP/1.1')).toBeUndefined();
  });

  it('of a WebSocket session name their worker but route nowhere, as it is never routed by its id', () => {
    const sid = unroutedSessionId(7);
    expect(sid).toMatch(/^k7_[0-9a-f-]{36}$/);
    expect(unroutedSessionId(7)).not.toBe(sid);
    expect(sessionOwner(key, `GET /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1`)).toBeUndefined();
  });
});

describe('the connection tally', () => {
  it('caps per address and globally, and frees places on close, in the router or in a worker', () => {
    const tally = createConnectionTally({ maxConnections: 3, maxConnectionsPerAddress: 2 });
    expect([tally.open('a'), tally.open('a'), tally.open('a')]).toEqual([true, true, false]);
    expect(tally.open('b')).toBe(true);
    expect(tally.open('c')).toBe(false); // global cap
    tally.handedTo(1, 'a');
    tally.closedIn(1, 'a');
    expect(tally.open('c')).toBe(true);
    tally.close('c');
    expect(tally.total()).toBe(2);
  });

  it('frees the places of a worker that died, and ignores its late reports', () => {
    const tally = createConnectionTally({ maxConnections: 10, maxConnectionsPerAddress: 2 });
    tally.open('a');
    tally.open('a');
    tally.handedTo(1, 'a');
    tally.handedTo(1, 'a');
    tally.workerGone(1);
    expect(tally.total()).toBe(0);
    tally.closedIn(1, 'a');
    expect(tally.total()).toBe(0);
    expect([tally.open('a'), tally.open('a')]).toEqual([true, true]);
  });
});
