/**
 * One rate-limit budget per user across two instances sharing PostgreSQL and Redis,
 * whichever instance each of the user's devices is connected to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAndCatchUp, createSession, type ChatSocket } from '../support/clients';
import { removeTempDirs, startServer, type RunningServer } from '../support/server';
import { redisNamespace } from '../../server/scale-out/redis';
import {
  deleteRedisKeys,
  dropSchema,
  freshSchemaName,
  postgresProblem,
  redisProblem,
  shouldRun,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  urlWithSchema,
} from '../support/services';

const problems = [await postgresProblem(), await redisProblem()].filter((problem): problem is string => problem !== null);
const servicesAvailable = shouldRun('rate limit across instances (PostgreSQL + Redis)', problems.length > 0 ? problems.join('; ') : null);

describe.skipIf(!servicesAvailable)('rate limit across two instances', () => {
  const schema = freshSchemaName('chat_scale_rate');
  const env = { CHAT_DATABASE_URL: urlWithSchema(TEST_DATABASE_URL, schema), CHAT_REDIS_URL: TEST_REDIS_URL, CHAT_RATE_LIMIT: '1:4' };
  let a: RunningServer;
  let b: RunningServer;
  const sockets: ChatSocket[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([startServer({ workers: 1, env }), startServer({ workers: 1, env })]);
  });
  afterAll(async () => {
    sockets.forEach((socket) => socket.close());
    await Promise.all([a?.stop(), b?.stop()]);
    removeTempDirs();
    await dropSchema(schema);
    await deleteRedisKeys(redisNamespace({ databaseUrl: env.CHAT_DATABASE_URL, dbPath: '' }));
  });

  it('gives a user one budget, whichever instances their devices are connected to', async () => {
    const session = await createSession(a.url, 'Flood');
    const phone = await connectAndCatchUp(a.url, session.token);
    const laptop = await connectAndCatchUp(b.url, session.token);
    sockets.push(phone.socket, laptop.socket);
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        (i % 2 === 0 ? phone : laptop).socket.emitWithAck('message:send', {
          room: 'general',
          clientOffset: `flood-${i}`,
          content: `flood ${i}`,
        }),
      ),
    );
    const accepted = answers.filter((answer) => answer.ok).length;
    // Burst 4 (plus at most one refill at 1/s while this runs); separate budgets would have let 8 through.
    expect(accepted).toBeGreaterThanOrEqual(4);
    expect(accepted).toBeLessThanOrEqual(5);
    const refused = answers.find((answer) => !answer.ok);
    expect(refused?.ok === false && refused.error.code).toBe('rate_limited');
  });
});
