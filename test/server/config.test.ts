import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../server/config';
import { logLines, SERVER_ENTRY } from '../support/server';

describe('config', () => {
  it('has embedded defaults: port 3000, ./data/chat.db, a worker per core, durable SQLite', () => {
    const config = readConfig({});
    expect(config.port).toBe(3000);
    expect(config.dbPath.endsWith('data/chat.db')).toBe(true);
    expect(config.workers).toBeGreaterThanOrEqual(1);
    expect(config.sqliteSync).toBe('FULL');
    expect(config.origins).toEqual([]);
    expect(config.rateLimit).toEqual({ perSecond: 20, burst: 60 });
  });

  it('keeps blobs beside the SQLite file by default, 25 MiB and the default types', () => {
    const config = readConfig({ CHAT_DB: '/srv/chat/chat.db' });
    expect(config.attachments).toEqual({
      blobDir: '/srv/chat/blobs',
      maxBytes: 25 * 1024 * 1024,
      types: expect.arrayContaining(['image/jpeg', 'application/pdf', 'text/plain']),
    });
    const custom = readConfig({
      CHAT_BLOB_DIR: '/mnt/shared/blobs',
      CHAT_ATTACHMENT_MAX_BYTES: '1048576',
      CHAT_ATTACHMENT_TYPES: ' image/PNG , application/pdf',
    });
    expect(custom.attachments).toEqual({ blobDir: '/mnt/shared/blobs', maxBytes: 1048576, types: ['image/png', 'application/pdf'] });
  });

  it('reads rate limits as per-second[:burst], with 0 meaning off', () => {
    expect(readConfig({ CHAT_RATE_LIMIT: '0' }).rateLimit).toBeNull();
    expect(readConfig({ CHAT_RATE_LIMIT: '5' }).rateLimit).toEqual({ perSecond: 5, burst: 15 });
    expect(readConfig({ CHAT_RATE_LIMIT: '5:8' }).rateLimit).toEqual({ perSecond: 5, burst: 8 });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['WORKERS', '0'],
    ['CHAT_RATE_LIMIT', 'fast'],
    ['CHAT_ORIGINS', 'not a url'],
    ['CHAT_ORIGINS', 'http://ok.example/path'],
    ['CHAT_SQLITE_SYNC', 'OFF'],
    ['CHAT_DATABASE_URL', 'mysql://x'],
    ['CHAT_REDIS_URL', 'nonsense'],
    ['CHAT_ATTACHMENT_MAX_BYTES', 'lots'],
    ['CHAT_ATTACHMENT_MAX_BYTES', '12'],
    ['CHAT_ATTACHMENT_TYPES', 'image/png,not a type'],
    ['CHAT_ATTACHMENT_TYPES', 'image/png,text/html'],
    ['CHAT_ATTACHMENT_TYPES', 'image/svg+xml'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => readConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => readConfig({ [name]: value })).toThrow(name);
  });

  it('makes the server exit with one line on a bad value', () => {
    const result = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { ...process.env, PORT: 'abc' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    const lines = logLines(result.stdout);
    expect(lines.map(({ level, msg }) => ({ level, msg }))).toEqual([
      { level: 'fatal', msg: 'config error: PORT must be a whole number, got "abc"' },
    ]);
  });

  it('never prints the password of a database URL it refuses', () => {
    const result = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { ...process.env, CHAT_DATABASE_URL: 'postgres://chat:s3cret-pw@db host:5432/chat' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
    expect(logLines(result.stdout)[0].msg).toBe(
      'config error: CHAT_DATABASE_URL must be a URL, got "postgres://chat:***@db host:5432/chat"',
    );
  });
});
