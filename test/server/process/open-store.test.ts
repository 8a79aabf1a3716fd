/**
 * Startup with the scale-out services configured but unusable: one clear line
 * naming the variable, never a stack trace or a hang. Needs neither service.
 */
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../server/config';
import { connectRedis } from '../../../server/scale-out/redis';
import { openStore } from '../../../server/process/open-store';
import { freePort } from '../../support/server';

describe('opening the configured services', () => {
  it('names CHAT_DATABASE_URL and the address when PostgreSQL is unreachable', async () => {
    const port = await freePort();
    const config = readConfig({ CHAT_DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/chat` });
    const failure = openStore(config);
    await expect(failure).rejects.toThrow(`CHAT_DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)`);
    await expect(failure).rejects.not.toThrow(/secret/);
  });

  it('rejects a bad ?schema= or ?pool= before connecting', async () => {
    await expect(openStore(readConfig({ CHAT_DATABASE_URL: 'postgres://db.invalid/chat?schema=Robert%27);DROP' }))).rejects.toThrow(
      /^CHAT_DATABASE_URL: \?schema= must match/,
    );
    await expect(openStore(readConfig({ CHAT_DATABASE_URL: 'postgres://db.invalid/chat?pool=0' }))).rejects.toThrow(
      /^CHAT_DATABASE_URL: \?pool= must be/,
    );
  });

  it('names CHAT_REDIS_URL and the address when Redis is unreachable', async () => {
    const port = await freePort();
    await expect(connectRedis(`redis://127.0.0.1:${port}`)).rejects.toThrow(
      `CHAT_REDIS_URL: cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED)`,
    );
  });

  it('opens SQLite when no database URL is set', async () => {
    const store = await openStore({ dbPath: ':memory:', sqliteSync: 'NORMAL', databaseUrl: undefined });
    await expect(store.checkHealth()).resolves.toBeUndefined();
    await store.close();
  });
});
