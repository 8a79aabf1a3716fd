/**
 * Presence: the in-process registry, and the Redis one shared by several
 * instances (separate connections play separate machines), including an
 * instance that dies without a word.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { User } from '../../shared/protocol';
import { createLocalPresence, onlineList, type Presence } from '../../server/presence';
import { createRedisPresence } from '../../server/presence-redis';
import { connectRedis, type RedisConnection } from '../../server/redis';
import { waitFor } from '../support/clients';
import { redisProblem, shouldRun, TEST_REDIS_URL } from '../support/services';

const ana: User = { id: 'a1', name: 'Ana' };
const bob: User = { id: 'b1', name: 'Bob' };
const cyd: User = { id: 'c1', name: 'Cyd' };

const redisAvailable = shouldRun('Redis presence', await redisProblem());

/** Records what onChange announced. */
function watch(presence: Presence): { latest(): User[] | null; count(): number } {
  let latest: User[] | null = null;
  let count = 0;
  presence.onChange((online) => {
    latest = online;
    count++;
  });
  return { latest: () => latest, count: () => count };
}

describe('presence in one process', () => {
  it('lists each user once, by name, while any of their sockets is connected', async () => {
    const presence = createLocalPresence();
    const seen = watch(presence);
    presence.add('s1', bob);
    presence.add('s2', ana);
    presence.add('s3', ana);
    await waitFor(() => seen.latest()?.length === 2, 2_000, 'the announcement');
    expect(seen.latest()).toEqual([ana, bob]);
    expect(seen.count()).toBe(1);
    presence.remove('s2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.count()).toBe(1); // Ana still has s3: nothing changed, nothing announced
    presence.remove('s3');
    await waitFor(() => seen.latest()?.length === 1, 2_000, 'Ana leaving');
    expect(await presence.online()).toEqual([bob]);
  });

  it('orders by name, then id, so every process computes the same list', () => {
    const twin = { id: 'a0', name: 'Ana' };
    expect(onlineList([bob, ana, twin, ana])).toEqual([twin, ana, bob]);
  });
});

describe.skipIf(!redisAvailable)('presence shared through Redis', () => {
  const connections: RedisConnection[] = [];
  const presences: Presence[] = [];
  const open = async (namespace: string, ttlMs = 30_000) => {
    const redis = await connectRedis(TEST_REDIS_URL);
    connections.push(redis);
    const presence = await createRedisPresence(redis, { namespace, ttlMs });
    presences.push(presence);
    return { redis, presence };
  };
  const namespace = () => `chat-test:${randomBytes(6).toString('hex')}`;
  afterAll(async () => {
    for (const presence of presences) await presence.close().catch(() => undefined);
    for (const redis of connections) redis.destroy();
  });

  it('shows every instance the users of all instances, and tells each one when it changes', async () => {
    const shared = namespace();
    const [one, two] = [await open(shared), await open(shared)];
    const seenByOne = watch(one.presence);
    const seenByTwo = watch(two.presence);
    one.presence.add('s1', ana);
    two.presence.add('s2', bob);
    await waitFor(() => seenByOne.latest()?.length === 2 && seenByTwo.latest()?.length === 2, 5_000, 'both instances to see both users');
    expect(await one.presence.online()).toEqual([ana, bob]);

    two.presence.remove('s2');
    await waitFor(() => seenByOne.latest()?.length === 1, 5_000, 'instance one to see Bob leave');
    expect(seenByOne.latest()).toEqual([ana]);
  });

  it('drops the users of an instance that died without a word once its heartbeat expires', async () => {
    const shared = namespace();
    const survivor = await open(shared, 600);
    const doomed = await open(shared, 600);
    const seen = watch(survivor.presence);
    survivor.presence.add('s1', ana);
    doomed.presence.add('s2', cyd);
    await waitFor(() => seen.latest()?.length === 2, 5_000, 'both users online');
    // Like SIGKILL: no goodbye, no cleanup, its connection simply stops.
    doomed.redis.destroy();
    await waitFor(() => seen.latest()?.length === 1, 5_000, 'the dead instance to drop out');
    expect(seen.latest()).toEqual([ana]);
  });

  it('keeps deployments that share one Redis apart', async () => {
    const one = await open(namespace());
    const other = await open(namespace());
    one.presence.add('s1', ana);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await other.presence.online()).toEqual([]);
    expect(await one.presence.online()).toEqual([ana]);
  });
});
