/**
 * Registers one client event: the payload is parsed at the door with its shared
 * schema, any throw becomes `unavailable`, and an emit without an ack callback is
 * still processed, with nothing to answer.
 */
import type * as v from 'valibot';
import type { Ack, ClientToServerEvents } from '../../shared/protocol';
import { parsePayload } from '../../shared/schema';
import { toErr } from '../chat/errors';
import type { ChatSocket } from '../socket';

type AnyAck = (answer: Ack<object>) => void;
type UntypedOn = { on(event: string, listener: (...args: unknown[]) => void): void };

export function onEvent<S extends v.GenericSchema>(
  socket: ChatSocket,
  event: keyof ClientToServerEvents,
  schema: S,
  handler: (value: v.InferOutput<S>) => Promise<Ack<object>> | Ack<object>,
): void {
  (socket as unknown as UntypedOn).on(event, (...args: unknown[]) => {
    // Socket.IO passes the ack callback last; no copy of the arguments per event.
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as AnyAck) : undefined;
    const payload = typeof args[0] === 'function' ? undefined : args[0];
    const parsed = parsePayload(schema, payload);
    const answer = parsed.ok
      ? Promise.resolve()
          .then(() => handler(parsed.value))
          .catch((error: unknown) => ({ ok: false as const, error: toErr(error) }))
      : Promise.resolve({ ok: false as const, error: parsed.error });
    void answer.then((result) => ack?.(result));
  });
}
