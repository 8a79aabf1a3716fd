/**
 * One group-commit batch on PostgreSQL: a single call of the `append_messages`
 * function (postgres-schema.ts), which takes the cluster-wide writer lock,
 * resolves duplicates, allocates per-room seqs and commit-ordered ids, and
 * inserts; its implicit transaction commits before the answer arrives.
 */
import type pg from 'pg';
import type { Message } from '../../shared/protocol';
import { toMessage, type MessageRow } from './message-row';
import type { BatchOutcomes } from './group-commit';
import { WriteRefused, type AppendResult, type NewMessage } from './store';

/** append_messages answers the author's name, not the handle: the input's author has both. */
type AppendedRow = Omit<MessageRow, 'author_handle'> & { created: boolean };

/** A send whose reply parent (if any) was resolved before the batch: its id and its preview as JSON. */
export type ResolvedMessage = NewMessage & { replyToId: number | null; replyJson: string | null };

/** Errors after which running the same batch again can succeed. */
const RETRYABLE = new Set(['23505', '40001', '40P01']); // unique_violation, serialization_failure, deadlock_detected
const ATTEMPTS = 3;

const keyOf = (authorId: string, clientOffset: string): string => `${authorId}\u0000${clientOffset}`;

/** Commits `inputs` in one transaction; outcome i belongs to input i. Throws if nothing was committed. */
export async function appendBatch(pool: pg.Pool, inputs: ResolvedMessage[]): Promise<BatchOutcomes<AppendResult>> {
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

async function attemptBatch(pool: pg.Pool, inputs: ResolvedMessage[]): Promise<BatchOutcomes<AppendResult>> {
  const { rows } = await pool.query<AppendedRow>('SELECT * FROM append_messages($1, $2, $3, $4, $5, $6, $7, $8)', [
    inputs.map((input) => input.author.id),
    inputs.map((input) => input.clientOffset),
    inputs.map((input) => input.room),
    inputs.map((input) => input.content),
    inputs.map((input) => input.replyToId),
    inputs.map((input) => input.replyJson),
    inputs.map((input) => (input.attachments?.length ? JSON.stringify(input.attachments) : null)),
    Date.now(),
  ]);
  const byKey = new Map<string, { message: Message; created: boolean }>(
    rows.map((row) => [
      keyOf(row.author_id, row.client_offset),
      { message: toMessage({ ...row, author_handle: null }), created: row.created },
    ]),
  );
  // Only the first input of a key created its message; repeats inside the batch get it with created: false.
  const claimed = new Set<string>();
  return inputs.map((input): AppendResult | Error => {
    const key = keyOf(input.author.id, input.clientOffset);
    const found = byKey.get(key);
    if (!found) return new WriteRefused('not_found', `room ${input.room} does not exist`);
    const created = found.created && !claimed.has(key);
    claimed.add(key);
    // The author is the one who sent it (same id, by the key): their current name and handle.
    return { message: { ...found.message, author: input.author }, created };
  });
}
