/**
 * Web Push at scale (#16): a database with a room of `members` members, each with a subscribed
 * device (to a loopback push service) and the room's level at `all`, written directly; then,
 * against `npm start` on it, one message to that room while other senders send to a room of
 * their own (bench/load/push-job.ts). The push service runs in a process of its own at idle priority and checks
 * every push as the test fake does: VAPID JWT, and a payload the member's keys decrypt.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { openSqliteStore } from '../server/store/sqlite';
import { freePort } from '../test/support/process';
import { benchSubscriptionKeys } from './load/push-keys';
import type { PushBenchResult } from './load/types';
import { runLoadJob } from './load-process';
import { withServer, type MeasureContext } from './measure';
import { benchTempDir, metricsEndpoint } from './servers';

const PUSH_ROOM = 'bench-push';
const TALK_ROOM = 'bench-talk';
const hash = (token: string) => createHash('sha256').update(token).digest('hex');

type Seeded = { authorToken: string; senderTokens: string[] };

export async function seed(path: string, origin: string, keySeed: string, members: number, senders: number): Promise<Seeded> {
  await openSqliteStore(path, { synchronous: 'NORMAL' }).close();
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const now = Date.now();
    const user = db.prepare('INSERT INTO users (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)');
    const session = db.prepare(
      'INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const member = db.prepare('INSERT INTO members (user_id, room, joined_at) VALUES (?, ?, ?)');
    const person = (id: string, room: string, token: string) => {
      user.run(id, id, hash(`user ${token}`), now);
      session.run(`s-${id}`, id, hash(token), 'bench', now, now);
      member.run(id, room, now);
    };
    const level = db.prepare("INSERT INTO push_levels (user_id, room, level) VALUES (?, ?, 'all')");
    const subscription = db.prepare(
      'INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const seeded: Seeded = { authorToken: `${keySeed}-author`, senderTokens: [] };
    db.transaction(() => {
      const room = db.prepare("INSERT INTO rooms (id, kind, last_seq, created_at) VALUES (?, 'public', 0, ?)");
      room.run(PUSH_ROOM, now);
      room.run(TALK_ROOM, now);
      person('pb-author', PUSH_ROOM, seeded.authorToken);
      for (let n = 0; n < senders; n++) {
        const token = `${keySeed}-sender-${n}`;
        person(`pb-sender-${n}`, TALK_ROOM, token);
        seeded.senderTokens.push(token);
      }
      for (let n = 0; n < members; n++) {
        const id = `pb-${n}`;
        person(id, PUSH_ROOM, `${keySeed}-member-${n}`);
        level.run(id, PUSH_ROOM);
        const keys = benchSubscriptionKeys(keySeed, n);
        subscription.run(`s-${id}`, id, `${origin}/push/${n}`, keys.p256dh, keys.auth, now);
      }
    })();
    return seeded;
  } finally {
    db.close();
  }
}

export async function measurePush(context: MeasureContext, nodeArgs: string[] = []): Promise<PushBenchResult> {
  const { members, senders, ratePerSender, baselineMs, rounds, timeoutMs } = context.settings.push;
  const dbPath = join(benchTempDir('bench-push-'), 'chat.db');
  const sinkPort = await freePort();
  const metrics = await metricsEndpoint();
  const origin = `http://127.0.0.1:${sinkPort}`;
  const keySeed = `bench-${Date.now().toString(36)}`;
  const seeded = await seed(dbPath, origin, keySeed, members, senders);
  context.log(`push: seeded ${members.toLocaleString('en-US')} subscribed members of ${PUSH_ROOM} and ${senders} senders in ${TALK_ROOM}`);
  const result = await withServer('ours', { dbPath, nodeArgs, env: { CHAT_PUSH_ENDPOINTS: origin, ...metrics.env } }, context, (server) =>
    runLoadJob<PushBenchResult>({
      kind: 'push',
      url: server.url,
      serverPid: server.pid,
      sinkPort,
      metricsUrl: metrics.url,
      keySeed,
      members,
      pushRoom: PUSH_ROOM,
      talkRoom: TALK_ROOM,
      ...seeded,
      ratePerSender,
      baselineMs,
      rounds,
      timeoutMs,
    }),
  );
  const p99 = (value: number | null) => (value === null ? '—' : value.toFixed(1));
  const perRound = (result.rounds ?? []).map((round) => `${round.pushesPerSec?.toFixed(0) ?? '—'}/s (ack p99 ${p99(round.ackP99)} ms)`);
  context.log(
    `push: rounds ${perRound.join(', ')}; median round ${result.pushes} of ${members} pushes, ${result.pushesPerSec?.toFixed(0) ?? '—'}/s (first after ${result.firstPushMs?.toFixed(0)} ms, last ${result.lastPushMs?.toFixed(0)} ms), ` +
      `faults ${result.faults}, repeats ${result.duplicates}, server CPU ${result.serverCpuMsPerPush?.toFixed(2)} ms per push (server busy ${result.serverCoresBefore.toFixed(2)} cores before, ${result.serverCoresDuring?.toFixed(2)} during); other senders (${result.sendRate.toFixed(0)} msg/s) ack p99 ${p99(result.ackWithout.p99)} ms without, ` +
      `${p99(result.ackWith.p99)} ms during (${result.ackWith.samples} acks); as the server measured them ${p99(result.serverAckP99Without ?? null)} ms without, ${p99(result.serverAckP99With ?? null)} ms during (commits ${p99(result.serverCommitP99Without ?? null)} and ${p99(result.serverCommitP99With ?? null)} ms); ack errors ${result.ackErrors}${result.error ? `; ${result.error}` : ''}`,
  );
  return result;
}
