/** Borrowing one pooled connection for a transaction, safely when the connection dies mid-way. */
import type pg from 'pg';

/**
 * Runs `work` on a dedicated connection. A checked-out pg client has no error
 * listener, so a dropped connection would crash the process; here it only fails
 * the pending query, and a connection that failed is destroyed, not reused.
 */
export async function withClient<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const ignore = (): void => undefined; // the failing query already rejects with this error
  client.on('error', ignore);
  let failure: Error | undefined;
  try {
    return await work(client);
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    client.removeListener('error', ignore);
    client.release(failure);
  }
}

/** Runs `work` between BEGIN and COMMIT, rolling back on failure. */
export function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
