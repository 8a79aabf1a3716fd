/**
 * Load that is still running when a server is killed or stopped: a socket keeps
 * `inFlight` sends outstanding, each with its own clientOffset, and records how
 * each one ended. A crash test reads which were unanswered at the moment of the
 * kill, then resends them (same clientOffset) to the restarted server.
 */
import type { ErrCode, Message } from '../../shared/protocol';
import type { ChatSocket } from './clients';

export type SendOutcome =
  | { state: 'in-flight' }
  | { state: 'acked'; message: Message }
  | { state: 'refused'; code: ErrCode }
  /** The connection closed before an answer came: the server may or may not have committed it. */
  | { state: 'unanswered' }
  /** Still connected, yet no answer within the ack timeout: the server hung. */
  | { state: 'timed-out' };

export type PacedSends = {
  /** The room every send goes to. */
  readonly room: string;
  /** Every send so far, by clientOffset, in the order sent. */
  readonly sends: Map<string, { content: string; outcome: SendOutcome }>;
  /** clientOffsets sent and not answered yet. */
  inFlight(): string[];
  acked(): Message[];
  count(state: SendOutcome['state']): number;
  /** Sends nothing more, and resolves once every send has an outcome. */
  stop(): Promise<void>;
};

export type PaceOptions = {
  /** Prefix of every clientOffset (and content). */
  prefix: string;
  room?: string;
  /** Sends kept outstanding at once. */
  inFlight?: number;
  ackTimeoutMs?: number;
};

/** Starts sending at once and keeps going until stop() or the socket disconnects. */
export function paceSends(socket: ChatSocket, options: PaceOptions): PacedSends {
  const { prefix, room = 'general', inFlight = 8, ackTimeoutMs = 10_000 } = options;
  const sends = new Map<string, { content: string; outcome: SendOutcome }>();
  const unsettled = new Set<Promise<void>>();
  let stopped = false;
  let next = 0;
  socket.on('disconnect', () => (stopped = true));

  function sendOne(): void {
    if (stopped || !socket.connected) return;
    const clientOffset = `${prefix}-${next}`;
    const content = `${prefix} message ${next}`;
    next++;
    const record: { content: string; outcome: SendOutcome } = { content, outcome: { state: 'in-flight' } };
    sends.set(clientOffset, record);
    const settled = socket
      .timeout(ackTimeoutMs)
      .emitWithAck('message:send', { room, clientOffset, content })
      .then(
        (ack) => {
          record.outcome = ack.ok ? { state: 'acked', message: ack.message } : { state: 'refused', code: ack.error.code };
        },
        (error: Error) => {
          record.outcome = { state: /timed out/.test(error.message) ? 'timed-out' : 'unanswered' };
        },
      )
      .finally(() => {
        unsettled.delete(settled);
        sendOne();
      });
    unsettled.add(settled);
  }

  for (let index = 0; index < inFlight; index++) sendOne();
  const count = (state: SendOutcome['state']) => [...sends.values()].filter((send) => send.outcome.state === state).length;
  return {
    room,
    sends,
    inFlight: () => [...sends].filter(([, send]) => send.outcome.state === 'in-flight').map(([clientOffset]) => clientOffset),
    acked: () => [...sends.values()].flatMap((send) => (send.outcome.state === 'acked' ? [send.outcome.message] : [])),
    count,
    async stop() {
      stopped = true;
      while (unsettled.size > 0) await Promise.allSettled([...unsettled]);
    },
  };
}

/** Waits until `sends` has at least `acks` acked messages (the load is under way). */
export async function untilAcked(sends: PacedSends, acks: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (sends.count('acked') < acks) {
    if (Date.now() > deadline) throw new Error(`only ${sends.count('acked')} of ${acks} sends acked in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Posts a message over HTTP, where the status tells a new message (201) from a repeat absorbed by its clientOffset (200). */
export async function resend(
  url: string,
  token: string,
  clientOffset: string,
  content: string,
  room = 'general',
): Promise<{ created: boolean; message: Message }> {
  const response = await fetch(`${url}/api/rooms/${room}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientOffset, content }),
  });
  if (response.status !== 200 && response.status !== 201) throw new Error(`resend of ${clientOffset} answered ${response.status}`);
  return { created: response.status === 201, message: ((await response.json()) as { message: Message }).message };
}

/** Every message of a room, paged over HTTP. */
export async function storedMessages(url: string, token: string, room = 'general'): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const response = await fetch(`${url}/api/rooms/${room}/messages?after=${all.at(-1)?.seq ?? 0}&limit=500`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = ((await response.json()) as { messages: Message[] }).messages;
    if (page.length === 0) return all;
    all.push(...page);
  }
}
