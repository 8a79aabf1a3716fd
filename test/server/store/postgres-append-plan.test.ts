/**
 * PostgreSQL's append_messages must find a batch's earlier sends by index, whatever the table's
 * size. Its plan is cached per connection and was made while the table was small: it read the
 * whole messages table once per batch (the bench's ingest: 20.8 M rows read for 28,845 sends).
 * Counted inside one transaction with pg_stat_xact_user_tables, which shows that transaction's
 * own scans before any statistics are flushed.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresStore } from '../../../server/store/postgres';
import type { Store } from '../../../server/store/store';
import { dropSchema, freshSchemaName, postgresProblem, shouldRun, TEST_DATABASE_URL } from '../../support/services';

const pgAvailable = shouldRun('PostgreSQL append plan', await postgresProblem());

const SEEDED = 5_000;
const BATCH = 20;

describe.skipIf(!pgAvailable)('append_messages on PostgreSQL', () => {
  const schema = freshSchemaName('chat_append_plan');
  let store: Store | undefined;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
  afterAll(async () => {
    await client.end().catch(() => undefined);
    await store?.close();
    await dropSchema(schema);
  });

  it('reads no table whole for a batch, however many messages are stored (repeated, so the cached plan is used)', async () => {
    store = await openPostgresStore(TEST_DATABASE_URL, { schema });
    await store.createUser({ id: 'ana-1', name: 'Ana' }, { id: 's-ana', tokenHash: 'hash-ana', device: 'test' });
    await client.connect();
    await client.query(
      `INSERT INTO messages (id, room, seq, author_id, client_offset, content, ts)
       SELECT g, 'general', g, 'ana-1', 'seeded-' || g, 'seeded message ' || g, 0 FROM generate_series(1, $1::int) g`,
      [SEEDED],
    );
    await client.query('UPDATE rooms SET last_seq = $1 WHERE id = $2', [SEEDED, 'general']);
    await client.query('UPDATE message_ids SET last_id = $1', [SEEDED]);

    // plpgsql keeps a generic plan after five calls on one connection: the sixth on shows it.
    for (let call = 0; call < 7; call++) {
      const offsets = Array.from({ length: BATCH }, (_, i) => `call-${call}-${i}`);
      // One of the batch is a resend of a stored message: the lookup that must use the index.
      offsets[0] = `seeded-${SEEDED - call}`;
      await client.query('BEGIN');
      const { rows } = await client.query<{ created: boolean }>('SELECT created FROM append_messages($1, $2, $3, $4, $5, $6, $7, $8)', [
        offsets.map(() => 'ana-1'),
        offsets,
        offsets.map(() => 'general'),
        offsets.map((offset) => `text ${offset}`),
        offsets.map(() => null),
        offsets.map(() => null),
        offsets.map(() => null),
        Date.now(),
      ]);
      const scans = await client.query<{ relname: string; seq_scan: string; seq_tup_read: string }>(
        `SELECT relname, seq_scan, seq_tup_read FROM pg_stat_xact_user_tables
         WHERE relname IN ('messages', 'users', 'rooms') AND seq_scan > 0`,
      );
      await client.query('COMMIT');
      expect(rows.filter((row) => row.created)).toHaveLength(BATCH - 1);
      expect(rows.filter((row) => !row.created)).toHaveLength(1);
      expect({ call, scans: scans.rows }).toEqual({ call, scans: [] });
    }
  });
});
