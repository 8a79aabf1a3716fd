/**
 * The sender: claims due jobs from the durable queue (push_queue) and makes the pushes. Every
 * server process runs one; a claim is a lease, so two processes (SQLite workers, or PostgreSQL
 * instances with SKIP LOCKED) never take the same job, and the jobs of a process that died come
 * back when its lease runs out. At least once: a push may repeat after a crash mid-job, and the
 * room's Topic collapses repeats at the push service.
 *
 * A `message` job fans out here, off the send path: the room's subscribed devices, by level and
 * mentions, minus the devices that have the app open. What fails for a while (429, 5xx, network)
 * comes back as a `delivery` job after a backoff (Retry-After when given), until its TTL.
 */
import { isDmRoom } from '../../shared/limits';
import { recipientsOf, type Recipient } from '../chat/push-recipients';
import { messagePayload, pushTopic, readPayload } from '../chat/push-payload';
import type { PushConfig } from '../config';
import type { NewPushJob, PushJob, PushStore, PushSubscriptionRecord, VapidKeys } from '../store/push-store';
import type { Store } from '../store/store';
import type { Delivery } from './deliver';
import { createSendPool, type SendItem } from './send-pool';
import { log } from '../observe/log';

export type SenderDeps = {
  store: Store;
  push: PushStore;
  config: PushConfig;
  vapid: VapidKeys & { subject: string };
  /** Of these device sessions, those with the app open and visible right now (on any process). */
  awake(sessionIds: string[]): Promise<Set<string>>;
};

export type Sender = { wake(): void; stop(): Promise<void> };

/** Long enough for a fan-out to 10,000 devices at 1,000 pushes per second, with room to spare. */
const LEASE_MS = 120_000;
const JOBS_PER_CLAIM = 20;
/** People per page of a fan-out: a page's queries and filtering take 1–2 ms. */
const FAN_OUT_PAGE = 250;
/** Pages handed to the send processes and not yet answered, before the next is read: enough to keep them busy. */
const PAGES_IN_FLIGHT = 2;
/** Devices per write of who was shown a notification (see markShownInSlices). */
const SHOWN_PER_WRITE = 250;
const POLL_MS = 1_000;
const SWEEP_MS = 60_000;
const MAX_BACKOFF_MS = 10 * 60_000;

/** 1 s, 2 s, 4 s … up to 10 min, or what the push service asked for. */
export function backoffMs(attempts: number, retryAfterMs: number | null): number {
  if (retryAfterMs !== null) return Math.min(Math.max(retryAfterMs, 1_000), MAX_BACKOFF_MS);
  return Math.min(1_000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

export function startSender(deps: SenderDeps): Sender {
  const { push } = deps;
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = false;
  let lastSweep = 0;

  const pool = createSendPool();

  /**
   * Makes the pushes (on the pool's threads) and records what each answer means; returns the
   * devices whose push was taken. A push whose time to live is over is not made.
   */
  async function sendAll(
    items: SendItem[],
    job: Pick<PushJob, 'room' | 'seq' | 'expiresAt' | 'attempts'>,
    retries: NewPushJob[],
  ): Promise<PushSubscriptionRecord[]> {
    const ttlSeconds = Math.ceil((job.expiresAt - Date.now()) / 1000);
    if (ttlSeconds <= 0 || items.length === 0) return [];
    const results = await pool.send(items, { vapid: deps.vapid, rules: deps.config.endpoints, ttlSeconds, topic: pushTopic(job.room) });
    const taken: PushSubscriptionRecord[] = [];
    for (let index = 0; index < items.length; index++) {
      const { subscription, payload } = items[index];
      if (await recordAnswer(results[index], subscription, payload, job, retries)) taken.push(subscription);
    }
    return taken;
  }

  /** What a push service's answer means for the subscription; returns whether the push was taken. */
  async function recordAnswer(
    result: Delivery,
    subscription: PushSubscriptionRecord,
    payload: string,
    job: Pick<PushJob, 'room' | 'seq' | 'expiresAt' | 'attempts'>,
    retries: NewPushJob[],
  ): Promise<boolean> {
    if (result.outcome === 'sent') return true;
    if (result.outcome === 'gone') await push.deleteEndpoint(subscription.endpoint);
    else if (result.outcome === 'refused') {
      // An endpoint we will not reach (its name now resolves inside, or the list changed): never try it again.
      log.warn(`push: not sending to ${new URL(subscription.endpoint).host}: ${result.reason}; subscription removed`);
      await push.deleteEndpoint(subscription.endpoint);
    } else if (result.outcome === 'retry') {
      const attempts = job.attempts + 1;
      retries.push({
        kind: 'delivery',
        room: job.room,
        seq: job.seq,
        userId: subscription.userId,
        sessionId: subscription.sessionId,
        payload,
        attempts,
        expiresAt: job.expiresAt,
        notBefore: Date.now() + backoffMs(attempts, result.retryAfterMs),
      });
    } else log.warn(`push: ${new URL(subscription.endpoint).host} refused a push (${result.reason})`);
    return false;
  }

  /**
   * A page of the room's people at a time, read only when the send processes are about to run
   * out of work (PAGES_IN_FLIGHT pages handed over and not yet answered), with a turn of the event
   * loop between: the reads of a 10,000-device fan-out are spread over its seconds of sending.
   * Read ahead in one go, its 20 page queries (4–20 ms each) ran back to back in the first 200 ms,
   * and the acks of other senders on this process waited up to 45 ms behind them.
   */
  async function fanOut(job: PushJob, retries: NewPushJob[]): Promise<void> {
    const [message] = await deps.store.messagesAfter(job.room, job.seq - 1, 1);
    if (!message || message.seq !== job.seq || message.deleted) return;
    const payloads = { plain: messagePayload(message, false), mention: messagePayload(message, true) };
    const dm = isDmRoom(job.room);
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    const shown = new Set<string>();
    let after: string | null = '';
    while (after !== null && failure === null) {
      while (inFlight.size >= PAGES_IN_FLIGHT) await Promise.race(inFlight);
      const page = await push.targetsPage(job.room, message.author.id, after, FAN_OUT_PAGE);
      after = page.lastUserId;
      const recipients = recipientsOf(message, page.targets);
      if (recipients.length > 0) {
        const awake = await deps.awake(recipients.map((recipient) => recipient.target.sessionId)).catch((error: unknown) => {
          // Better a push to an open app than none to a closed one.
          log.warn(`push: could not ask the sockets who is connected (${(error as Error).message})`);
          return new Set<string>();
        });
        const items = recipients
          .filter((recipient) => !awake.has(recipient.target.sessionId))
          .map(({ target, mention }: Recipient): SendItem => ({
            subscription: target,
            payload: mention ? payloads.mention : payloads.plain,
            urgency: mention || dm ? 'high' : 'normal',
          }));
        // Never rejects (a failure is kept and thrown below), so no page's error goes unhandled.
        const sending: Promise<void> = sendAll(items, job, retries).then(
          (taken) => {
            for (const device of taken) shown.add(device.userId);
            inFlight.delete(sending);
          },
          (error: unknown) => {
            failure ??= error;
            inFlight.delete(sending);
          },
        );
        inFlight.add(sending);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(inFlight);
    if (failure !== null) throw failure;
    await markShownInSlices([...shown], job.room, job.seq);
  }

  /**
   * Written once the fan-out is over, in short writes with a turn of the event loop between:
   * each write takes SQLite's one write lock, and the primary's group commit (the acks of every
   * sender) waits while another connection holds it — and waits longer than that, as SQLite's
   * busy handler sleeps 1, 2, 5, 10 … ms between tries. One write of 10,000 rows held the lock
   * for tens of milliseconds; a slice of SHOWN_PER_WRITE holds it for well under one.
   */
  async function markShownInSlices(userIds: string[], room: PushJob['room'], seq: number): Promise<void> {
    for (let from = 0; from < userIds.length; from += SHOWN_PER_WRITE) {
      if (from > 0) await new Promise((resolve) => setImmediate(resolve));
      await push.markShown(userIds.slice(from, from + SHOWN_PER_WRITE), room, seq);
    }
  }

  async function tellRead(job: PushJob, retries: NewPushJob[]): Promise<void> {
    if (!job.userId || !(await push.takeShown(job.userId, job.room, job.seq))) return;
    const devices = (await push.subscriptionsOfUser(job.userId)).filter((device) => device.sessionId !== job.sessionId);
    const payload = readPayload(job.room, job.seq);
    await sendAll(
      devices.map((device): SendItem => ({ subscription: device, payload, urgency: 'normal' })),
      job,
      retries,
    );
  }

  async function retry(job: PushJob, retries: NewPushJob[]): Promise<void> {
    const device = job.sessionId ? await push.subscriptionOf(job.sessionId) : null;
    if (!device || !job.payload) return;
    const sent = (await sendAll([{ subscription: device, payload: job.payload, urgency: 'normal' }], job, retries)).length > 0;
    if (sent && job.payload.startsWith('{"kind":"message"')) await push.markShown([device.userId], job.room, job.seq);
  }

  /** Returns whether the job is done; one that failed (the store is closing, say) comes back when its lease ends. */
  async function runJob(job: PushJob, retries: NewPushJob[]): Promise<boolean> {
    if (job.expiresAt <= Date.now()) return true;
    try {
      if (job.kind === 'message') await fanOut(job, retries);
      else if (job.kind === 'read') await tellRead(job, retries);
      else await retry(job, retries);
      return true;
    } catch (error) {
      log.warn(`push: ${job.kind} job for ${job.room}#${job.seq} failed, back in ${LEASE_MS / 1000} s: ${(error as Error).message}`);
      return false;
    }
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      const now = Date.now();
      if (now - lastSweep > SWEEP_MS) {
        lastSweep = now;
        await push.dropExpired(now);
      }
      if (!(await push.anyDue(now))) continue;
      const jobs = await push.claim(now, LEASE_MS, JOBS_PER_CLAIM);
      if (jobs.length === 0) continue;
      const retries: NewPushJob[] = [];
      const done = await Promise.all(jobs.map((job) => runJob(job, retries)));
      await push.enqueue(retries);
      await push.finish(jobs.filter((_, index) => done[index]).map((job) => job.id));
      // A full claim may have left more behind.
      if (jobs.length === JOBS_PER_CLAIM) again = true;
    } while (again && !stopped);
  }

  const wake = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((error: unknown) => log.warn(`push: the sender failed a round: ${(error as Error).message}`))
      .finally(() => {
        running = null;
      });
  };
  const poll = setInterval(wake, POLL_MS);
  poll.unref();
  wake();

  return {
    wake,
    async stop() {
      stopped = true;
      clearInterval(poll);
      await running;
      await pool.close();
    },
  };
}
