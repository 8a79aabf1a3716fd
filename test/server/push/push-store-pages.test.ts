/**
 * The fan-out reads a room's subscribed devices a page of people at a time (targetsPage): every
 * device exactly once across the pages, a person's devices never split, the author left out; and
 * the send path's check of which rooms have a subscribed member at all. On SQLite and PostgreSQL.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresPushStore } from '../../../server/store/postgres-push';
import { openPostgresStore } from '../../../server/store/postgres';
import type { PushStore } from '../../../server/store/push-store';
import { openSqlitePushStore } from '../../../server/store/sqlite-push';
import { openSqliteStore } from '../../../server/store/sqlite';
import { tempDir } from '../../support/server';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL, urlWithSchema } from '../../support/services';

const MEMBERS = 1_203;
const PAGE = 500;

/** Members m0…: every third has two devices, every seventh none; a room whose members have no device; the author. */
function seedSql(): { sql: string; devices: string[] } {
  const users: string[] = [];
  const sessions: string[] = [];
  const members: string[] = [];
  const subscriptions: string[] = [];
  const devices: string[] = [];
  const person = (id: string, devicesOf: number) => {
    users.push(`('${id}', '${id}', 'hash-${id}', 0)`);
    for (let device = 0; device < Math.max(1, devicesOf); device++) {
      const session = `${id}-d${device}`;
      sessions.push(`('${session}', '${id}', 'hash-${session}', '', 0, 0)`);
      if (devicesOf === 0) continue;
      subscriptions.push(`('${session}', '${id}', 'https://fcm.googleapis.com/fcm/send/${session}', 'key', 'auth', 0)`);
      devices.push(session);
    }
  };
  person('author', 1);
  members.push("('author', 'paged', 0)");
  for (let n = 0; n < MEMBERS; n++) {
    const id = `m${n}`;
    const count = n % 7 === 0 ? 0 : n % 3 === 0 ? 2 : 1;
    person(id, count);
    members.push(`('${id}', 'paged', 0)`);
    if (count === 0) members.push(`('${id}', 'quiet', 0)`);
  }
  const sql = [
    "INSERT INTO rooms (id, kind, last_seq, created_at) VALUES ('paged', 'public', 0, 0), ('quiet', 'public', 0, 0)",
    `INSERT INTO users (id, name, token_hash, created_at) VALUES ${users.join(', ')}`,
    `INSERT INTO sessions (id, user_id, token_hash, device, created_at, last_seen_at) VALUES ${sessions.join(', ')}`,
    `INSERT INTO members (user_id, room, joined_at) VALUES ${members.join(', ')}`,
    `INSERT INTO push_subscriptions (session_id, user_id, endpoint, p256dh, auth, created_at) VALUES ${subscriptions.join(', ')}`,
  ].join(';\n');
  return { sql, devices: devices.filter((session) => !session.startsWith('author')) };
}

async function readAllPages(push: PushStore, room: string): Promise<{ sessions: string[]; pages: number }> {
  const sessions: string[] = [];
  let after: string | null = '';
  let pages = 0;
  while (after !== null && pages < 100) {
    const page: Awaited<ReturnType<PushStore['targetsPage']>> = await push.targetsPage(room, 'author', after, PAGE);
    pages += 1;
    sessions.push(...page.targets.map((target) => target.sessionId));
    // A person's devices are all on one page.
    for (const target of page.targets) expect(page.lastUserId === null || target.userId <= page.lastUserId).toBe(true);
    after = page.lastUserId;
  }
  return { sessions, pages };
}

function contract(name: string, open: () => Promise<{ push: PushStore; close(): Promise<void> }>, enabled = true) {
  describe.runIf(enabled)(`push targets in pages (${name})`, () => {
    const { devices } = seedSql();
    let opened: { push: PushStore; close(): Promise<void> } | undefined;
    afterAll(async () => opened?.close());

    it('returns every subscribed device of the room once, the author left out, in pages of people', async () => {
      opened = await open();
      const { sessions, pages } = await readAllPages(opened.push, 'paged');
      expect(sessions.length).toBe(devices.length);
      expect(new Set(sessions)).toEqual(new Set(devices));
      expect(pages).toBe(Math.ceil(MEMBERS / PAGE));
      // general: every subscribed device on the server but the author's.
      const general = await readAllPages(opened.push, 'general');
      expect(new Set(general.sessions)).toEqual(new Set(devices));
    });

    it('knows which rooms have a subscribed member', async () => {
      opened ??= await open();
      expect(await opened.push.subscribedRooms(['paged', 'quiet', 'general', 'paged'])).toEqual(new Set(['paged', 'general']));
    });
  });
}

contract('SQLite', async () => {
  const dir = tempDir('push-pages-');
  const path = join(dir.path, 'chat.db');
  await openSqliteStore(path, { synchronous: 'NORMAL' }).close();
  const db = new Database(path);
  db.exec(seedSql().sql);
  db.close();
  const push = openSqlitePushStore(path);
  return {
    push,
    async close() {
      await push.close();
      dir.remove();
    },
  };
});

const postgres = shouldRun('PostgreSQL', await postgresProblem());
contract(
  'PostgreSQL',
  async () => {
    const schema = freshSchemaName('push_pages');
    await (await openPostgresStore(TEST_DATABASE_URL, { schema })).close();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    await client.query(`SET search_path TO ${schema}`);
    await client.query(seedSql().sql);
    await client.end();
    const push = await openPostgresPushStore(urlWithSchema(TEST_DATABASE_URL, schema));
    return {
      push,
      async close() {
        await push.close();
        await dropSchema(schema);
      },
    };
  },
  postgres,
);
