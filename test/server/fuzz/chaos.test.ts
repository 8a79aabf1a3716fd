/**
 * Chaos on a 2-worker cluster: clients send with retries (a resend keeps its
 * clientOffset, as the PWA's outbox does) while workers are SIGKILLed and
 * sockets dropped at random. Then the whole history is read back from the
 * store: no acked message lost or changed, none stored twice, every room's seq
 * gap-free. CHAOS_MS sets how long the chaos lasts (20 s by default; e.g.
 * CHAOS_MS=60000 for the long run), CHAOS_SEED (printed) replays its choices.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Message, SessionCreated } from '../../../shared/protocol';
import { connectAndWait, createSession, createSocket, type ChatSocket } from '../../support/clients';
import { seededRandom, seedFromEnv } from '../../support/seeded-random';
import { useServer, workerPids } from '../../support/server';

const CHAOS_MS = Number(process.env.CHAOS_MS ?? 20_000);
const SEED = seedFromEnv('CHAOS_SEED');
const ROOMS = ['chaos-0', 'chaos-1', 'chaos-2'];
const PEOPLE = 6;
const LANES_PER_PERSON = 2;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One person's connection, replaced whenever it drops. */
type Client = { person: SessionCreated; socket?: ChatSocket; connecting?: Promise<ChatSocket | undefined> };

async function connected(client: Client, url: string): Promise<ChatSocket | undefined> {
  if (client.socket?.connected) return client.socket;
  client.connecting ??= (async () => {
    client.socket?.close();
    const socket = createSocket(url, client.person.token);
    client.socket = socket;
    try {
      await connectAndWait(socket, 5000);
      return socket;
    } catch {
      await pause(100);
      return undefined;
    } finally {
      client.connecting = undefined;
    }
  })();
  return client.connecting;
}

/** Sends the ack or throws when it will not come (the socket dropped, or its worker died). */
function sendOnce(socket: ChatSocket, payload: { room: string; clientOffset: string; content: string }) {
  let onDisconnect = () => undefined as void;
  const dropped = new Promise<never>((_, reject) => {
    onDisconnect = () => reject(new Error('disconnected'));
    socket.once('disconnect', onDisconnect);
  });
  return Promise.race([socket.timeout(5000).emitWithAck('message:send', payload), dropped]).finally(() =>
    socket.off('disconnect', onDisconnect),
  );
}

describe(`chaos: workers SIGKILLed and sockets dropped while clients send (CHAOS_MS=${CHAOS_MS}, CHAOS_SEED=${SEED})`, () => {
  const server = useServer({ workers: 2 });

  it(
    'loses no acked message, stores none twice, and keeps every room gap-free',
    async () => {
      console.log(`chaos: seed ${SEED} (replay with CHAOS_SEED=${SEED}), ${CHAOS_MS} ms`);
      const random = seededRandom(SEED);
      const url = server().url;
      const clients: Client[] = [];
      for (let index = 0; index < PEOPLE; index++) {
        const client: Client = { person: await createSession(url, `Chaos ${index}`) };
        const socket = await connected(client, url);
        if (!socket) throw new Error('first connect failed');
        for (const room of ROOMS) expect((await socket.emitWithAck('room:join', { room })).ok).toBe(true);
        clients.push(client);
      }

      const acked = new Map<string, Message>(); // `${authorId}/${clientOffset}` → the ack's message
      let resends = 0;
      const stopAt = Date.now() + CHAOS_MS;
      const lane = async (client: Client, laneIndex: number) => {
        for (let n = 0; Date.now() < stopAt; n++) {
          const payload = {
            room: ROOMS[(laneIndex + n) % ROOMS.length],
            clientOffset: `c${laneIndex}-${n}`,
            content: `chaos ${client.person.user.name} ${laneIndex}/${n}`,
          };
          // Until acked, whatever happens: the same clientOffset every time.
          for (let attempt = 0; ; attempt++) {
            if (attempt > 0) resends++;
            const socket = await connected(client, url);
            if (!socket) continue;
            const answer = await sendOnce(socket, payload).catch(() => undefined);
            if (answer?.ok) {
              acked.set(`${client.person.user.id}/${payload.clientOffset}`, answer.message);
              break;
            }
            if (answer && answer.error.code !== 'unavailable') throw new Error(`send refused: ${answer.error.code}`);
            await pause(50);
          }
        }
      };

      let kills = 0;
      let drops = 0;
      const chaos = async () => {
        while (Date.now() < stopAt - 1000) {
          await pause(300 + random.int(700));
          if (random.chance(0.3)) {
            // Only while both workers are up: killing the last one would only wait for its replacement.
            const pids = await workerPids(url, 2, 3_000).catch(() => []);
            if (pids.length < 2) continue;
            process.kill(random.pick(pids), 'SIGKILL');
            kills++;
          } else {
            random.pick(clients).socket?.io.engine?.close();
            drops++;
          }
        }
      };

      await Promise.all([
        chaos(),
        ...clients.flatMap((client) => Array.from({ length: LANES_PER_PERSON }, (_, index) => lane(client, index))),
      ]);
      clients.forEach((client) => client.socket?.close());
      console.log(`chaos: ${acked.size} messages acked, ${resends} resends, ${kills} workers killed, ${drops} sockets dropped`);
      expect(kills).toBeGreaterThan(0);
      expect(acked.size).toBeGreaterThan(50);

      // The whole history, read from the store itself.
      const db = new Database(server().dbPath, { readonly: true });
      try {
        const rows = db
          .prepare(
            `SELECT id, room, seq, author_id AS authorId, client_offset AS clientOffset FROM messages WHERE room LIKE 'chaos-%' ORDER BY room, seq`,
          )
          .all() as Array<{ id: number; room: string; seq: number; authorId: string; clientOffset: string }>;
        for (const room of ROOMS) {
          const seqs = rows.filter((row) => row.room === room).map((row) => row.seq);
          expect(seqs, `${room} is gap-free`).toEqual(seqs.map((_, index) => index + 1));
        }
        const byKey = new Map(rows.map((row) => [`${row.authorId}/${row.clientOffset}`, row]));
        expect(byKey.size, 'no send stored twice').toBe(rows.length);
        for (const [key, message] of acked) {
          expect(byKey.get(key), `acked ${key} is stored as acked`).toMatchObject({ id: message.id, room: message.room, seq: message.seq });
        }
        // Every send was retried until acked: nothing stored that was not acked.
        expect(rows.length).toBe(acked.size);
      } finally {
        db.close();
      }
    },
    CHAOS_MS + 90_000,
  );
});
