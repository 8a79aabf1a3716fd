/**
 * The one path every send takes, over Socket.IO or HTTP: access, rate limit, the attachments
 * it names (each the sender's to send), durable append (idempotent by clientOffset), then a
 * single broadcast of what is new.
 */
import type { Attachment, Err, Message, SendPayload, User } from '../../shared/protocol';
import { WriteRefused, type Store } from '../store/store';
import { accessTo } from './access';
import { attachmentsToSend } from './attachments';
import { metrics } from '../observe/metrics';
import { err, toErr } from './errors';
import type { RateLimiter } from './rate-limit';

export type SendDeps = {
  store: Store;
  /** In-process buckets, or Redis-backed ones shared by every instance (scale-out). */
  limiter: RateLimiter;
  /** Emits `message:new` to every member's sockets on every worker. */
  publish(message: Message): void;
};

export type SendOutcome = { ok: true; message: Message; created: boolean } | { ok: false; error: Err };

export async function sendMessage(deps: SendDeps, author: User, payload: SendPayload): Promise<SendOutcome> {
  try {
    const access = await accessTo(deps.store, author.id, payload.room);
    if (access === 'forbidden') return { ok: false, error: err('forbidden', `you may not post in ${payload.room}`) };
    if (access === 'public') return { ok: false, error: err('forbidden', `join ${payload.room} (room:join) before posting in it`) };

    const rate = await deps.limiter.take(author.id);
    if (!rate.ok) {
      metrics.rateLimited.inc({ budget: 'send' });
      return { ok: false, error: err('rate_limited', 'too many messages; slow down', rate.retryAfterMs) };
    }

    const { attachments: ids, ...rest } = payload;
    let attachments: Attachment[] | undefined;
    if (ids?.length) {
      const resolved = await attachmentsToSend(deps.store, author.id, ids);
      if (!resolved.ok) return { ok: false, error: resolved.error };
      attachments = resolved.attachments;
    }

    const { message, created } = await deps.store.appendMessage(attachments ? { ...rest, author, attachments } : { ...rest, author });
    if (created) deps.publish(message);
    else metrics.duplicatesAbsorbed.inc();
    metrics.messagesAcked.inc();
    return { ok: true, message, created };
  } catch (error) {
    return { ok: false, error: refusalOrFault(error) };
  }
}

/** A write the store's rules refused keeps its code; anything else is a storage fault. */
export function refusalOrFault(error: unknown): Err {
  return error instanceof WriteRefused ? err(error.code, error.message) : toErr(error);
}
