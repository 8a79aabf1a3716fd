/**
 * One group-commit transaction on PostgreSQL: takes the cluster-wide writer lock
 * (the `message_ids` row), resolves duplicates, allocates per-room seqs and
 * commit-ordered ids, inserts, commits. See postgres.ts for why ids work this way.
 */
import type pg from 'pg';
import { inTransaction } from './postgres-client';
import type { Message } from '../../shared/protocol';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './postgres-rows';
import type { AppendResult, NewMessage } from './store';

export type BatchOutcome = AppendResult | Error;

/** Errors after which running the same batch again can succeed. */
const RETRYABLE = new Set(['23505', '40001', '40P01']); // unique_violation, serialization_failure, deadlock_detected
const ATTEMPTS = 3;

const keyOf = (input: NewMessage): string => `${input.author.id}\u0000${input.clientOffset}`;

/** Commits `inputs` in one transaction; outcome i belongs to input i. Throws if nothing was committed. */
export async function appendBatch(pool: pg.Pool, inputs: NewMessage[]): Promise<BatchOutcome[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptBatch(pool, inputs);
    } catch (error) {
      // Only reachable if a writer bypassed the lock; the retry re-reads what it committed.
      const code = (error as { code?: unknown }).code;
      if (attempt >= ATTEMPTS || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
    }
  }
}

async function attemptBatch(pool: pg.Pool, inputs: NewMessage[]): Promise<BatchOutcome[]> {
  return inTransaction(pool, async (client): Promise<BatchOutcome[]> => {
    // The writer lock. Reserving one id per input up front saves a round trip;
    // ids of duplicates are simply never used (ids may skip, seqs never do).
    const reserved = await client.query<{ last_id: number }>('UPDATE message_ids SET last_id = last_id + $1 RETURNING last_id', [inputs.length]);
    const lastId = reserved.rows[0]?.last_id;
    if (lastId === undefined) throw new Error('message_ids row is missing');
    let nextId = lastId - inputs.length + 1;

    // Read under the lock: every earlier writer has committed, so a key stored anywhere in the cluster is seen here.
    const stored = await client.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id
       JOIN unnest($1::text[], $2::text[]) AS k(author_id, client_offset)
         ON m.author_id = k.author_id AND m.client_offset = k.client_offset`,
      [inputs.map((input) => input.author.id), inputs.map((input) => input.clientOffset)],
    );
    const known = new Map<string, Message>(stored.rows.map((row) => [`${row.author_id}\u0000${row.client_offset}`, toMessage(row)]));

    // The first input of each new key is inserted; later repeats in the batch point at it.
    const firstOfKey = new Map<string, number>();
    const fresh: number[] = [];
    const perRoom = new Map<string, number>();
    inputs.forEach((input, index) => {
      const key = keyOf(input);
      if (known.has(key) || firstOfKey.has(key)) return;
      firstOfKey.set(key, index);
      fresh.push(index);
      perRoom.set(input.room, (perRoom.get(input.room) ?? 0) + 1);
    });

    const bumped = await client.query<{ id: string; last_seq: number }>(
      `UPDATE rooms SET last_seq = rooms.last_seq + c.n
       FROM unnest($1::text[], $2::bigint[]) AS c(id, n) WHERE rooms.id = c.id
       RETURNING rooms.id, rooms.last_seq`,
      [[...perRoom.keys()], [...perRoom.values()]],
    );
    // Next seq to hand out per room: the new last_seq minus what this batch adds, plus one.
    const nextSeq = new Map<string, number>(bumped.rows.map((row) => [row.id, row.last_seq - (perRoom.get(row.id) ?? 0) + 1]));

    const now = Date.now();
    const created = new Map<number, Message | Error>();
    const rows: Message[] = [];
    for (const index of fresh) {
      const input = inputs[index];
      const seq = nextSeq.get(input.room);
      if (seq === undefined) {
        created.set(index, new Error(`room ${input.room} does not exist`));
        continue;
      }
      nextSeq.set(input.room, seq + 1);
      const message: Message = { id: nextId++, room: input.room, seq, author: input.author, clientOffset: input.clientOffset, content: input.content, ts: now };
      created.set(index, message);
      rows.push(message);
    }

    if (rows.length > 0) {
      await client.query(
        `INSERT INTO messages (id, room, seq, author_id, client_offset, content, ts)
         SELECT t.id, t.room, t.seq, t.author_id, t.client_offset, t.content, $7
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[])
           AS t(id, room, seq, author_id, client_offset, content)`,
        [
          rows.map((m) => m.id),
          rows.map((m) => m.room),
          rows.map((m) => m.seq),
          rows.map((m) => m.author.id),
          rows.map((m) => m.clientOffset),
          rows.map((m) => m.content),
          now,
        ],
      );
    }
    // The outcomes are handed out by the caller of inTransaction only after COMMIT succeeded.
    return inputs.map((input, index): BatchOutcome => {
      const key = keyOf(input);
      const earlier = known.get(key);
      if (earlier) return { message: earlier, created: false };
      const first = firstOfKey.get(key) ?? index;
      const outcome = created.get(first);
      if (outcome === undefined) return new Error('append outcome missing');
      if (outcome instanceof Error) return outcome;
      return { message: outcome, created: first === index };
    });
  });
}
