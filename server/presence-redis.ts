/**
 * Presence shared through Redis: each instance keeps its sockets in its own hash
 * (socket id -> user) with a TTL it refreshes by heartbeat, and lists itself in a
 * sorted set by last heartbeat. The online list is the union over live instances,
 * so a SIGKILLed instance's users drop out within `ttlMs` without anyone cleaning
 * up. A pub/sub ping tells every instance to recompute after a change.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { User } from '../shared/protocol';
import { announcer, onlineList, type Presence } from './presence';
import type { RedisConnection } from './redis';

export type RedisPresenceOptions = {
  /** Key prefix, so deployments sharing one Redis stay apart. */
  namespace: string;
  /** How long an instance counts as alive after its last heartbeat (machines' clocks must agree to well within this). */
  ttlMs?: number;
  /** How long online() waits for Redis before answering from this instance alone. */
  timeoutMs?: number;
};

export async function createRedisPresence(redis: RedisConnection, options: RedisPresenceOptions): Promise<Presence> {
  const ttl = options.ttlMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const instance = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const socketsKey = (id: string) => `${options.namespace}:presence:${id}`;
  const mine = socketsKey(instance);
  const instancesKey = `${options.namespace}:presence:instances`;
  const channel = `${options.namespace}:presence:changed`;

  const local = new Map<string, User>();
  const listeners: Array<(online: User[]) => void> = [];
  const announce = announcer(listeners);
  const warn = (error: unknown) => console.warn(`presence: redis failed (${error instanceof Error ? error.message : String(error)})`);

  async function unionOfLiveInstances(): Promise<User[]> {
    const alive = await redis.zRangeByScore(instancesKey, Date.now() - ttl, '+inf');
    // node-redis pipelines these into one round trip.
    const lists = await Promise.all(alive.map((id) => redis.hVals(socketsKey(id))));
    return onlineList(lists.flat().map((encoded) => JSON.parse(encoded) as User));
  }

  async function online(): Promise<User[]> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    try {
      // A Redis outage must not stall a connect: fall back to what this instance knows.
      return (await Promise.race([unionOfLiveInstances(), late])) ?? onlineList(local.values());
    } catch {
      return onlineList(local.values());
    } finally {
      clearTimeout(timer);
    }
  }

  let refreshScheduled = false;
  function scheduleRefresh(): void {
    if (refreshScheduled) return;
    refreshScheduled = true;
    // One recompute for a burst of changes (a restart brings every client back at once).
    setTimeout(() => {
      refreshScheduled = false;
      online().then(announce, warn);
    }, 50);
  }

  /** Rewrites this instance's whole entry, so it heals after a Redis restart lost it. */
  async function heartbeat(): Promise<void> {
    const multi = redis.multi().del(mine);
    if (local.size > 0) multi.hSet(mine, Object.fromEntries([...local].map(([socketId, user]) => [socketId, JSON.stringify(user)])));
    await multi
      .pExpire(mine, ttl)
      .zAdd(instancesKey, { score: Date.now(), value: instance })
      .zRemRangeByScore(instancesKey, '-inf', Date.now() - 10 * ttl)
      .exec();
  }

  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined); // the main connection reports outages
  await subscriber.connect();
  await subscriber.subscribe(channel, () => scheduleRefresh());
  await heartbeat();
  // The periodic refresh is what notices instances that died without a word.
  const ticker = setInterval(() => {
    heartbeat().catch(warn);
    scheduleRefresh();
  }, Math.max(100, Math.floor(ttl / 3)));
  ticker.unref();

  return {
    add(socketId, user) {
      local.set(socketId, user);
      redis
        .multi()
        .hSet(mine, socketId, JSON.stringify(user))
        .pExpire(mine, ttl)
        .zAdd(instancesKey, { score: Date.now(), value: instance })
        .publish(channel, instance)
        .exec()
        .catch(warn);
      scheduleRefresh();
    },
    remove(socketId) {
      if (!local.delete(socketId)) return;
      redis.multi().hDel(mine, socketId).publish(channel, instance).exec().catch(warn);
      scheduleRefresh();
    },
    online,
    onChange: (listener) => void listeners.push(listener),
    async close() {
      clearInterval(ticker);
      local.clear();
      await redis.multi().del(mine).zRem(instancesKey, instance).publish(channel, instance).exec().catch(warn);
      subscriber.destroy();
    },
  };
}
