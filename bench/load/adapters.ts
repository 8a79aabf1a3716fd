/**
 * One small adapter per wire dialect, so the load generator drives every server
 * the same way: our protocol (our server and the null ceiling: sessions,
 * message:send with an ack, message:new, message:packed or message:batch + sync:done) and the
 * tutorial's ('chat message' with (msg, clientOffset, callback), broadcast as
 * (msg, serverOffset), catch-up since auth.serverOffset).
 */
import { io, type Socket } from 'socket.io-client';
import { messagesOfPacked } from '../../shared/message-packed';
import type {
  Ack,
  DeliveredPayload,
  EditPayload,
  Message,
  MessageChange,
  ReactionPayload,
  SendPayload,
  ServerToClientEvents,
  SessionCreated,
} from '../../shared/protocol';
import type { Dialect } from './types';
import type { WireCounter } from './wire';

/** A message arrived: `live` for a broadcast, false for catch-up; `offset` is the server's seq/id. */
export type OnMessage = (content: string, offset: number, live: boolean) => void;

/** An edit or a reaction on a stored message (our protocol only). */
export type BenchChange = { kind: 'edit'; target: number; content: string } | { kind: 'react'; target: number; emoji: string; on: boolean };

export interface BenchClient {
  /** Connects; resolves once the server finished its catch-up (ours: `sync:done`; tutorial: on connect). */
  connect(timeoutMs: number): Promise<void>;
  /**
   * Resolves when the server acked the message as stored, with its id where the protocol
   * says (ours); rejects on a negative ack or timeout.
   */
  send(clientOffset: string, content: string, timeoutMs: number): Promise<number | undefined>;
  /** Our protocol: an edit or reaction, resolved on its positive ack. */
  change?(clientOffset: string, change: BenchChange, timeoutMs: number): Promise<void>;
  close(): void;
}

/** How often a client with ticks on tells the server how far it has received (the PWA batches the same way). */
const DELIVERED_EVERY_MS = 250;

/**
 * The newest server offset any client has seen, used as the cursor of the next
 * connecting client — what a real client that has been online keeps.
 */
export class OffsetTracker {
  latest = 0;
  see(offset: number): void {
    if (offset > this.latest) this.latest = offset;
  }
}

export type ClientOptions = {
  cursor?: number;
  /** Send delivered receipts while this says so, asked at every tick (the alternating ingest turns them on and off). */
  ticks?: () => boolean;
  /** Called for every `room:delivered` sent. */
  onReceipt?: () => void;
  /** Counts the bytes of this client's connections at the TCP socket. */
  wire?: WireCounter;
  /** The connection ended other than by `close()` (the server dropped it, or the network): Socket.IO's reason. */
  onDrop?: (reason: string) => void;
};

export type DialectAdapter = {
  /** One identity per client (our protocol: a session token; tutorial: none). */
  identities(url: string, count: number): Promise<string[]>;
  create(url: string, identity: string, onMessage: OnMessage, offsets: OffsetTracker, options?: ClientOptions): BenchClient;
};

/** WebSocket only, no reconnection (a drop must show as a loss, not be papered over), one connection per client. */
function socketOptions(auth: Record<string, unknown>, wire?: WireCounter) {
  return {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    autoConnect: false,
    timeout: 60_000,
    // engine.io-client passes `agent` on to ws (its type says string | boolean, from the browser build).
    ...(wire ? { agent: wire.agent as unknown as string } : {}),
  };
}

/** Our message:send with the ack made mandatory, so `timeout()` types the callback as (error, answer). */
interface OursClientEvents {
  'message:send': (payload: SendPayload, ack: (answer: Ack<{ message: Message }>) => void) => void;
  'message:edit': (payload: EditPayload, ack: (answer: Ack<{ change: MessageChange }>) => void) => void;
  'reaction:set': (payload: ReactionPayload, ack: (answer: Ack<{ change: MessageChange }>) => void) => void;
  'room:delivered': (payload: DeliveredPayload) => void;
}

async function createSession(url: string, name: string): Promise<string> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (response.status !== 201) throw new Error(`POST /api/session answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as SessionCreated;
  return body.token;
}

/** Runs `task` for 0..count-1 with at most `concurrency` in flight, in order of index. */
export async function forEachLimited(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function waitForConnect(
  socket: { once(event: 'connect' | 'connect_error', listener: (error?: Error) => void): unknown; connect(): unknown },
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (error?: Error) => {
      clearTimeout(timer);
      reject(error ?? new Error('connect_error'));
    });
    socket.connect();
  });
}

const oursAdapter: DialectAdapter = {
  async identities(url, count) {
    const tokens: string[] = new Array<string>(count).fill('');
    await forEachLimited(count, 16, async (index) => {
      tokens[index] = await createSession(url, `bench-${index}`);
    });
    return tokens;
  },
  create(url, token, onMessage, offsets, options = {}) {
    // Like the PWA: presence as deltas after one full list, and only a count in a crowd (even deltas are
    // O(online²) in a storm); catch-up as `message:packed`, read back into messages.
    const socket: Socket<ServerToClientEvents, OursClientEvents> = io(
      url,
      socketOptions({ token, cursors: { general: options.cursor ?? offsets.latest }, presence: 'bounded', pages: 'packed' }, options.wire),
    );
    let received = 0;
    let told = 0;
    const ticksOn = options.ticks;
    const ticks = ticksOn
      ? setInterval(() => {
          if (received <= told || !socket.connected || !ticksOn()) return;
          told = received;
          socket.emit('room:delivered', { room: 'general', seq: received });
          options.onReceipt?.();
        }, DELIVERED_EVERY_MS)
      : undefined;
    const onBatch = (messages: Message[]) => {
      for (const message of messages) {
        offsets.see(message.seq);
        received = Math.max(received, message.seq);
        onMessage(message.content, message.seq, false);
      }
    };
    socket.on('message:new', (message) => {
      offsets.see(message.seq);
      received = Math.max(received, message.seq);
      onMessage(message.content, message.seq, true);
    });
    socket.on('message:packed', (page) => onBatch(messagesOfPacked(page)));
    // A server that does not know `auth.pages` (the null servers) would send batches.
    socket.on('message:batch', onBatch);
    socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') options.onDrop?.(reason);
    });
    return {
      async connect(timeoutMs) {
        const synced = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('sync:done timed out')), timeoutMs);
          socket.once('sync:done', () => {
            clearTimeout(timer);
            resolve();
          });
        });
        // Both awaited together: a connect that fails must not leave the sync:done timer's rejection unhandled.
        await Promise.all([waitForConnect(socket, timeoutMs), synced]);
      },
      send(clientOffset, content, timeoutMs) {
        return new Promise<number>((resolve, reject) => {
          socket.timeout(timeoutMs).emit('message:send', { room: 'general', clientOffset, content }, (error, answer) => {
            if (error) return reject(error);
            if (!answer.ok) return reject(new Error(`${answer.error.code}: ${answer.error.message}`));
            offsets.see(answer.message.seq);
            resolve(answer.message.id);
          });
        });
      },
      change(clientOffset, change, timeoutMs) {
        return new Promise<void>((resolve, reject) => {
          const answered = (error: Error | null, answer: Ack<{ change: MessageChange }>) => {
            if (error) return reject(error);
            if (!answer.ok) return reject(new Error(`${answer.error.code}: ${answer.error.message}`));
            resolve();
          };
          if (change.kind === 'edit')
            socket
              .timeout(timeoutMs)
              .emit('message:edit', { room: 'general', target: change.target, clientOffset, content: change.content }, answered);
          else
            socket
              .timeout(timeoutMs)
              .emit('reaction:set', { room: 'general', target: change.target, clientOffset, emoji: change.emoji, on: change.on }, answered);
        });
      },
      close() {
        clearInterval(ticks);
        socket.disconnect();
      },
    };
  },
};

interface TutorialServerEvents {
  'chat message': (msg: string, serverOffset: number) => void;
}
interface TutorialClientEvents {
  'chat message': (msg: string, clientOffset: string, callback: () => void) => void;
}

const tutorialAdapter: DialectAdapter = {
  async identities(_url, count) {
    return new Array<string>(count).fill('');
  },
  create(url, _identity, onMessage, offsets, options = {}) {
    // The tutorial's client: auth.serverOffset is the last offset it processed.
    const socket: Socket<TutorialServerEvents, TutorialClientEvents> = io(
      url,
      socketOptions({ serverOffset: options.cursor ?? offsets.latest }, options.wire),
    );
    let connected = false;
    socket.on('chat message', (msg, serverOffset) => {
      offsets.see(serverOffset);
      onMessage(msg, serverOffset, connected);
    });
    return {
      async connect(timeoutMs) {
        await waitForConnect(socket, timeoutMs);
        connected = true;
      },
      send(clientOffset, content, timeoutMs) {
        return new Promise<undefined>((resolve, reject) => {
          socket.timeout(timeoutMs).emit('chat message', content, clientOffset, (error: Error | null) => {
            if (error) reject(error);
            else resolve(undefined);
          });
        });
      },
      close() {
        socket.disconnect();
      },
    };
  },
};

export function adapterFor(dialect: Dialect): DialectAdapter {
  return dialect === 'tutorial' ? tutorialAdapter : oursAdapter;
}
