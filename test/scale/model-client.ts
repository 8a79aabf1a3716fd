/**
 * A chat client reduced to what the guarantees are about: an outbox resent with
 * the same clientOffsets until acked, messages deduplicated by (room, seq), a
 * gap-free cursor, and `sync` when a gap shows. It can move between servers.
 */
import type { Message, SessionCreated, User } from '../../shared/protocol';
import { connectAndWait, createSocket, type ChatSocket } from '../support/clients';

const ROOM = 'general';
const ACK_TIMEOUT_MS = 5_000;

export class ModelClient {
  /** Messages held, by seq (one room is enough for these tests). */
  readonly held = new Map<number, Message>();
  /** Live `message:new` events per seq on the current connection: more than one is a duplicate broadcast. */
  private liveCounts = new Map<number, number>();
  /** Every seq that arrived as a live `message:new`, over all connections. */
  readonly liveSeqs = new Set<number>();
  readonly duplicateBroadcasts: number[] = [];
  /** Unacked sends, by clientOffset. */
  readonly outbox = new Map<string, string>();
  readonly acked = new Map<string, Message>();
  /** The latest `presence` list this client was sent. */
  online: User[] = [];
  private inFlight = new Set<string>();
  private socket: ChatSocket | null = null;
  private syncing = false;

  constructor(readonly session: SessionCreated) {}

  /** Whether its socket is connected now. */
  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Highest seq up to which every message is held. */
  cursor(): number {
    let seq = 0;
    while (this.held.has(seq + 1)) seq++;
    return seq;
  }

  async connect(url: string): Promise<void> {
    this.socket?.close();
    this.inFlight = new Set();
    this.liveCounts = new Map();
    const socket = createSocket(url, this.session.token, { cursors: { [ROOM]: this.cursor() } });
    this.socket = socket;
    socket.on('message:batch', (batch) => batch.forEach((message) => this.hold(message)));
    socket.on('message:new', (message) => {
      const count = (this.liveCounts.get(message.seq) ?? 0) + 1;
      this.liveCounts.set(message.seq, count);
      this.liveSeqs.add(message.seq);
      if (count > 1) this.duplicateBroadcasts.push(message.seq);
      this.hold(message);
      if (message.seq > this.cursor() + 1) void this.sync();
    });
    socket.on('presence', ({ online }) => (this.online = online));
    socket.on('disconnect', () => (this.inFlight = new Set()));
    const caughtUp = new Promise<void>((resolve) => socket.once('sync:done', () => resolve()));
    await connectAndWait(socket);
    await caughtUp;
    this.flush();
  }

  /** Queues a message and sends it if connected; it stays queued until acked. */
  send(clientOffset: string, content: string): void {
    this.outbox.set(clientOffset, content);
    this.emit(clientOffset);
  }

  /** Resends everything unacked that is not already in flight on this connection. */
  flush(): void {
    for (const clientOffset of this.outbox.keys()) this.emit(clientOffset);
  }

  async sync(): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected || this.syncing) return;
    this.syncing = true;
    try {
      await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('sync', { cursors: { [ROOM]: this.cursor() } });
    } catch {
      // disconnected or slow: the next reconnect catches up with the cursor anyway
    } finally {
      this.syncing = false;
    }
  }

  close(): void {
    this.socket?.close();
    this.socket = null;
  }

  private hold(message: Message): void {
    const earlier = this.held.get(message.seq);
    if (earlier && earlier.id !== message.id)
      throw new Error(`seq ${message.seq} arrived as two different messages (${earlier.id}, ${message.id})`);
    this.held.set(message.seq, message);
  }

  private emit(clientOffset: string): void {
    const socket = this.socket;
    const content = this.outbox.get(clientOffset);
    if (!socket?.connected || content === undefined || this.inFlight.has(clientOffset)) return;
    this.inFlight.add(clientOffset);
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('message:send', { room: ROOM, clientOffset, content })
      .then(
        (answer) => {
          if (!answer.ok) return; // stays in the outbox; the next flush resends it
          this.outbox.delete(clientOffset);
          this.acked.set(clientOffset, answer.message);
          this.hold(answer.message);
        },
        () => undefined, // timed out or disconnected: stays in the outbox
      )
      .finally(() => {
        if (socket === this.socket) this.inFlight.delete(clientOffset);
      });
  }
}
