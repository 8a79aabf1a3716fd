/**
 * Registers one client event as a typed unit: the event name picks its payload
 * and ack types from the event map in shared/protocol.ts, so the schema must
 * produce that payload and the handler must answer that ack (a wrong ack does
 * not compile). The event's budget (event-budgets.ts) is charged first, then the
 * payload is parsed at the door; any throw becomes `unavailable`, and an emit
 * without an ack callback is still processed.
 */
import type * as v from 'valibot';
import type { ClientToServerEvents } from '../../shared/protocol';
import { parsePayload } from '../../shared/schema';
import type { Budgets } from '../chat/budgets';
import { overBudget } from '../chat/budgets';
import { err, toErr } from '../chat/errors';
import type { Budget } from '../config';
import { refusal } from '../observe/log';
import { metrics } from '../observe/metrics';
import { EVENT_BUDGETS } from './event-budgets';
import type { ChatSocket } from './types';

type EventName = keyof ClientToServerEvents;
export type PayloadOf<E extends EventName> = Parameters<ClientToServerEvents[E]>[0];
/** The answer an event's ack callback takes; `void` for events without one (typing). */
export type AckOf<E extends EventName> =
  Parameters<ClientToServerEvents[E]> extends [unknown, ((answer: infer A) => void)?] ? (unknown extends A ? void : A) : void;

/** Runs with the socket the event came on, and the payload its schema produced. */
type Handler<E extends EventName> = (socket: ChatSocket, payload: PayloadOf<E>) => AckOf<E> | Promise<AckOf<E>>;

/** The error of an `{ ok: false, error }` answer. */
function refusalIn(result: unknown): { code: string } | undefined {
  if (typeof result !== 'object' || result === null || (result as { ok?: unknown }).ok !== false) return undefined;
  const error = (result as { error?: { code?: unknown } }).error;
  return typeof error?.code === 'string' ? { code: error.code } : undefined;
}

/**
 * One event's listener, made once for the whole server and added to every socket: Socket.IO calls
 * it with the socket as `this`. A listener (and its helper and handler closures) per event per
 * socket was ~50 closures and their contexts on every connection (13 events), 3.9 KB of a
 * worker's heap per connection for as long as it stays, made again by every connection of a storm.
 */
export type SocketListener = { event: EventName; listener: (this: ChatSocket, ...args: unknown[]) => void };

async function run<E extends EventName>(
  socket: ChatSocket,
  budgets: Budgets,
  budget: Budget | null,
  schema: v.GenericSchema<unknown, PayloadOf<E>>,
  handler: Handler<E>,
  payload: unknown,
): Promise<unknown> {
  if (budget) {
    const rate = await budgets.take(budget, socket.data.user.id);
    if (!rate.ok) {
      metrics.rateLimited.inc({ budget });
      return { ok: false, error: err('rate_limited', overBudget(budget), rate.retryAfterMs) };
    }
  }
  const parsed = parsePayload(schema, payload);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return handler(socket, parsed.value);
}

export function eventListener<E extends EventName>(
  budgets: Budgets,
  event: E,
  schema: NoInfer<v.GenericSchema<unknown, PayloadOf<E>>>,
  handler: NoInfer<Handler<E>>,
): SocketListener {
  const budget = EVENT_BUDGETS[event];
  function listener(this: ChatSocket, ...args: unknown[]): void {
    // Socket.IO passes the ack callback last; no copy of the arguments per event.
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (answer: unknown) => void) : undefined;
    void run(this, budgets, budget, schema, handler, typeof args[0] === 'function' ? undefined : args[0])
      .catch((error: unknown) => ({ ok: false as const, error: toErr(error, this.data.log, event) }))
      .then((result) => {
        if (result === undefined) return;
        const error = refusalIn(result);
        if (error) {
          metrics.errors.inc({ code: error.code });
          // An `unavailable` was logged with its cause where it was thrown (toErr).
          if (error.code !== 'unavailable') refusal(this.data.log, error.code, event);
        }
        ack?.(result);
      });
  }
  return { event, listener };
}

/** Adds the server's listeners to a new socket (the listener checks its own arguments: they come from the network). */
export function listen(socket: ChatSocket, listeners: readonly SocketListener[]): void {
  for (const { event, listener } of listeners) socket.on(event, listener as never);
}
