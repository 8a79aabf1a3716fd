/**
 * A seeded fuzzer against a real 2-worker cluster: FUZZ_RUNS (10,000 by default)
 * inputs across every socket event and HTTP route, each a valid payload broken
 * in one place or something hostile altogether, with and without an ack. After
 * it: no process died, nothing was logged as an internal error, /healthz stayed
 * 200, and the messages stored are exactly those acked ok (plus any sent
 * without an ack or whose ack was lost with a dropped socket, which may or may not be).
 * The seed is printed; FUZZ_SEED=<seed> replays a run.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SessionCreated } from '../../../shared/protocol';
import { connectAndWait, createSession, createSocket, type ChatSocket } from '../../support/clients';
import { seededRandom, seedFromEnv, type Random } from '../../support/seeded-random';
import { logLines, useServer, workerPids } from '../../support/server';
import { hostileString, hostileValue, mutate } from './hostile-values';

const SEED = seedFromEnv('FUZZ_SEED');
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const IN_FLIGHT = 24;

const EVENTS = [
  'message:send',
  'room:join',
  'room:leave',
  'dm:open',
  'sync',
  'typing',
  'room:read',
  'message:edit',
  'message:delete',
  'reaction:set',
  'room:delivered',
] as const;

type Fuzzer = {
  people: SessionCreated[];
  sockets: ChatSocket[];
  dmRoom: string;
  /** Ids of messages acked ok, by socket or HTTP. */
  acked: Set<number>;
  /** clientOffsets of sends whose outcome we cannot know (no ack asked, or the ack was lost). */
  unknown: Set<string>;
  statuses: Map<number, number>;
  healthChecks: number[];
  unanswered: number;
};

function validPayload(random: Random, event: (typeof EVENTS)[number], fuzzer: Fuzzer, index: number): Record<string, unknown> {
  const room = random.pick(['general', 'fuzz-a', 'constructor', fuzzer.dmRoom]);
  const target =
    fuzzer.acked.size > 0 && random.chance(0.7) ? [...fuzzer.acked][random.int(fuzzer.acked.size)] : `f-${random.int(index + 1)}`;
  switch (event) {
    case 'message:send':
      return { room, clientOffset: `f-${index}`, content: `fuzz ${index}` };
    case 'room:join':
    case 'room:leave':
      return { room };
    case 'dm:open':
      return { userId: random.pick(fuzzer.people).user.id };
    case 'sync':
      return { cursors: random.chance(0.5) ? {} : { [room]: random.int(50) } };
    case 'typing':
      return { room, typing: random.chance(0.5) };
    case 'room:read':
    case 'room:delivered':
      return { room, seq: random.int(100) };
    case 'message:edit':
      return { room, target, clientOffset: `e-${index}`, content: `edited ${index}` };
    case 'message:delete':
      return { room, target, clientOffset: `d-${index}` };
    case 'reaction:set':
      return { room, target, clientOffset: `r-${index}`, emoji: '👍', on: random.chance(0.5) };
  }
}

/** The socket to use, connected again if the server dropped it (an oversized packet does); lanes sharing a slot share the reconnect. */
const reconnecting = new Map<number, Promise<ChatSocket>>();
async function socketFor(fuzzer: Fuzzer, slot: number, url: string): Promise<ChatSocket> {
  const current = fuzzer.sockets[slot];
  if (current.connected) return current;
  let pending = reconnecting.get(slot);
  if (!pending) {
    current.close();
    const socket = createSocket(url, fuzzer.people[slot % fuzzer.people.length].token);
    pending = connectAndWait(socket).then(() => {
      fuzzer.sockets[slot] = socket;
      reconnecting.delete(slot);
      return socket;
    });
    reconnecting.set(slot, pending);
  }
  return pending;
}

async function fuzzSocket(random: Random, fuzzer: Fuzzer, index: number, url: string): Promise<void> {
  const socket = await socketFor(fuzzer, index % fuzzer.sockets.length, url);
  const event = random.pick(EVENTS);
  const payload = mutate(random, validPayload(random, event, fuzzer, index));
  const isSend = event === 'message:send';
  const offset = (payload as { clientOffset?: unknown } | null)?.clientOffset;
  // typing has no ack in the contract: it is always fire-and-forget.
  const withAck = event !== 'typing' && random.chance(0.85);
  if (!withAck) {
    if (isSend && typeof offset === 'string') fuzzer.unknown.add(offset);
    const extra = random.chance(0.3) ? [hostileValue(random)] : [];
    (socket.emit as (event: string, ...args: unknown[]) => void)(event, payload, ...extra);
    return;
  }
  try {
    // A dropped socket answers nothing: give up on it at once rather than at the timeout.
    let onDisconnect = () => undefined as void;
    const dropped = new Promise<never>((_, reject) => {
      onDisconnect = () => reject(new Error('disconnected'));
      socket.once('disconnect', onDisconnect);
    });
    const answer = (await Promise.race([
      (socket.timeout(5000).emitWithAck as (event: string, payload: unknown) => Promise<unknown>)(event, payload),
      dropped,
    ]).finally(() => socket.off('disconnect', onDisconnect))) as { ok: boolean; message?: { id: number } };
    if (isSend && answer.ok && answer.message) fuzzer.acked.add(answer.message.id);
  } catch {
    // No answer: the socket was dropped (a packet over the cap) or the ack was lost with it.
    fuzzer.unanswered++;
    if (process.env.FUZZ_VERBOSE) console.log(`unanswered ${event} ${socket.connected} ${JSON.stringify(payload)?.slice(0, 200)}`);
    if (isSend && typeof offset === 'string') fuzzer.unknown.add(offset);
  }
}

const ROUTES = [
  ['POST', '/api/session'],
  ['DELETE', '/api/sessions/:id'],
  ['GET', '/api/me'],
  ['PATCH', '/api/me'],
  ['PUT', '/api/me/handle'],
  ['PUT', '/api/me/settings'],
  ['GET', '/api/sessions'],
  ['GET', '/api/rooms'],
  ['GET', '/api/rooms/:room/messages'],
  ['POST', '/api/rooms/:room/messages'],
  ['GET', '/api/rooms/:room/receipts'],
  ['GET', '/api/search'],
  ['GET', '/api/passkeys'],
  ['DELETE', '/api/passkeys/:id'],
  ['POST', '/api/passkeys/register/options'],
  ['POST', '/api/passkeys/register/verify'],
  ['POST', '/api/passkeys/login/options'],
  ['POST', '/api/passkeys/login/verify'],
  ['POST', '/api/devices/link'],
  ['POST', '/api/devices/redeem'],
  ['GET', '/healthz'],
  ['GET', '/metrics'],
  ['GET', '/nowhere/../../etc/passwd'],
] as const;

/** Percent-encoded; a lone surrogate (which encodeURIComponent refuses) as the bytes it would be, which no UTF-8 decoder accepts. */
function encoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return '%ED%A0%80';
  }
}

async function fuzzHttp(random: Random, fuzzer: Fuzzer, index: number, url: string): Promise<void> {
  const [method, template] = random.pick(ROUTES);
  const room = random.pick(['general', 'fuzz-a', fuzzer.dmRoom, hostileString(random)]);
  const path = template.replace(':room', encoded(room)).replace(':id', encoded(hostileString(random)));
  const query = random.chance(0.4)
    ? `?${['after', 'before', 'around', 'limit', 'q', 'room'].map((key) => `${key}=${encoded(hostileString(random))}`).join('&')}`
    : '';
  const me = random.pick(fuzzer.people);
  const token = random.chance(0.8) ? me.token : random.pick(['', 'x', 'a'.repeat(5000), `${me.token}x`]);
  const sendsMessage = method === 'POST' && template === '/api/rooms/:room/messages';
  const offset = `h-${index}`;
  const body =
    method === 'GET' || method === 'DELETE'
      ? undefined
      : random.chance(0.15)
        ? hostileString(random)
        : JSON.stringify(
            mutate(
              random,
              sendsMessage
                ? { clientOffset: offset, content: `http ${index}` }
                : { name: `Fuzz ${index}`, handle: `fz${index}`, readReceipts: true, code: 'ABCD-EFGH' },
            ),
          );
  const contentType = random.pick([
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    undefined,
    'multipart/form-data; boundary=x',
  ]);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (contentType) headers['content-type'] = contentType;
  let response: Response;
  try {
    response = await fetch(`${url}${path}${query}`, { method, headers, body, signal: AbortSignal.timeout(10_000) });
  } catch {
    if (sendsMessage) fuzzer.unknown.add(offset);
    return;
  }
  fuzzer.statuses.set(response.status, (fuzzer.statuses.get(response.status) ?? 0) + 1);
  const text = await response.text();
  if (sendsMessage && (response.status === 200 || response.status === 201))
    fuzzer.acked.add((JSON.parse(text) as { message: { id: number } }).message.id);
}

describe(`fuzzing every socket event and HTTP route (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS})`, () => {
  // What is checked here is what gets stored, not whether it survives power loss: no fsync per commit.
  const server = useServer({ workers: 2, env: { CHAT_SQLITE_SYNC: 'NORMAL' } });
  const sockets: ChatSocket[] = [];
  afterAll(() => sockets.forEach((socket) => socket.close()));

  it(
    'keeps every process up, logs no internal error, stays healthy, and stores exactly what it acked',
    async () => {
      console.log(`fuzz: seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${RUNS} inputs`);
      const url = server().url;
      const pids = await workerPids(url, 2);
      const people = [await createSession(url, 'Fuzz A'), await createSession(url, 'Fuzz B'), await createSession(url, 'Fuzz C')];
      for (let slot = 0; slot < 6; slot++) {
        const socket = createSocket(url, people[slot % people.length].token);
        await connectAndWait(socket);
        sockets.push(socket);
      }
      const dm = await sockets[0].emitWithAck('dm:open', { userId: people[1].user.id });
      if (!dm.ok) throw new Error(`dm:open: ${dm.error.code}`);
      const fuzzer: Fuzzer = {
        people,
        sockets,
        dmRoom: dm.room,
        acked: new Set(),
        unknown: new Set(),
        statuses: new Map(),
        healthChecks: [],
        unanswered: 0,
      };

      let next = 0;
      const timing = { socket: 0, http: 0 };
      const lane = async () => {
        while (next < RUNS) {
          const index = next++;
          // Each input from its own stream: the same seed gives the same inputs whatever the interleaving.
          const random = seededRandom((SEED ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
          const started = performance.now();
          const kind = random.chance(0.7) ? 'socket' : 'http';
          if (kind === 'socket') await fuzzSocket(random, fuzzer, index, url);
          else await fuzzHttp(random, fuzzer, index, url);
          timing[kind] += performance.now() - started;
          if (index % 500 === 0) {
            fuzzer.healthChecks.push((await fetch(`${url}/healthz`)).status);
            if (process.env.FUZZ_VERBOSE)
              console.log(`fuzz: ${index} inputs, ${fuzzer.unanswered} unanswered, ms ${JSON.stringify(timing)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      await new Promise((resolve) => setTimeout(resolve, 500));

      // /healthz stayed 200 and every worker is the one we started with.
      expect(
        fuzzer.healthChecks.every((status) => status === 200),
        fuzzer.healthChecks.join(','),
      ).toBe(true);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect(new Set(await workerPids(url, 2))).toEqual(new Set(pids));
      // No answer was a server fault.
      const faults = [...fuzzer.statuses].filter(([status]) => status >= 500);
      expect(faults, `statuses ${JSON.stringify([...fuzzer.statuses])}`).toEqual([]);
      // Nothing logged as a bug: no internal error, no stack, no worker death.
      const lines = logLines(server().output());
      expect(lines.filter((line) => line.level === 'error' || line.level === 'fatal').map((line) => line.msg)).toEqual([]);
      expect(server().output()).not.toMatch(/"stack"/);

      // Stored: every acked message, and beyond them only sends whose outcome we could not see.
      const db = new Database(server().dbPath, { readonly: true });
      try {
        const stored = db.prepare('SELECT id, client_offset AS clientOffset FROM messages').all() as Array<{
          id: number;
          clientOffset: string;
        }>;
        const storedIds = new Set(stored.map((message) => message.id));
        for (const id of fuzzer.acked) expect(storedIds.has(id), `acked message ${id} is stored`).toBe(true);
        const unacked = stored.filter((message) => !fuzzer.acked.has(message.id));
        expect(unacked.filter((message) => !fuzzer.unknown.has(message.clientOffset))).toEqual([]);
        expect(stored.length).toBe(fuzzer.acked.size + unacked.length);
        // Enough went through for the check to mean something.
        expect(fuzzer.acked.size).toBeGreaterThan(RUNS / 100);
        console.log(
          `fuzz: ${fuzzer.acked.size} messages acked and stored, ${unacked.length} unacked stored, ${fuzzer.unanswered} emits unanswered, statuses ${JSON.stringify([...fuzzer.statuses])}`,
        );
      } finally {
        db.close();
      }
    },
    60_000 + RUNS * 25,
  );
});
