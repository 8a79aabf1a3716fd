/**
 * The bench's push service on loopback: as strict as the test fake (test/support/fake-push-service.ts)
 * about every push — a VAPID JWT for this origin signed with the key it names, an aes128gcm body
 * the member's keys decrypt to a message payload — but it verifies each distinct Authorization
 * once (the server reuses one per origin), and it checks the pushes after the run (`verify`), not
 * as they come: a real push service decrypts nothing and runs on other machines, while here the
 * decryption (an ECDH per push) would take a core from the server whose ack latency is measured.
 */
import { createServer } from 'node:http';
import { decryptAes128gcm, readBody, verifyVapid } from '../../test/support/fake-push-service';
import { benchSubscriber, type BenchSubscriber } from './push-keys';

export type PushSink = {
  /** Accepted pushes this round, one per member counted (repeats are in `duplicates`). */
  accepted(): number;
  /** The next message's pushes: every member may take one again (repeats and faults keep counting). */
  nextRound(): void;
  /** Epoch ms of the round's first and latest accepted push. */
  firstAt: number | null;
  lastAt: number | null;
  duplicates: number;
  faults: string[];
  /** Checks every push taken so far (each member's first), adding what is wrong to `faults`. */
  verify(): void;
  close(): Promise<void>;
};

type Taken = { member: number; authorization: string | undefined; body: Buffer };

export async function startPushSink(port: number, seed: string, members: number): Promise<PushSink> {
  const origin = `http://127.0.0.1:${port}`;
  const keys = new Map<number, BenchSubscriber>();
  const seen = new Uint8Array(members);
  /** Authorization values already verified, with their JWT expiry (s). */
  const verified = new Map<string, number>();
  let count = 0;
  let unchecked: Taken[] = [];
  const sink: PushSink = {
    accepted: () => count,
    nextRound() {
      seen.fill(0);
      count = 0;
      sink.firstAt = null;
      sink.lastAt = null;
    },
    firstAt: null,
    lastAt: null,
    duplicates: 0,
    faults: [],
    verify() {
      for (const { member, authorization, body } of unchecked) {
        const fault = check(authorization, body, member);
        if (fault) sink.faults.push(`${member}: ${fault}`);
      }
      unchecked = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const check = (authorization: string | undefined, body: Buffer, member: number): string | null => {
    const known = authorization ? verified.get(authorization) : undefined;
    if (!authorization || known === undefined || known * 1000 <= Date.now()) {
      const vapid = verifyVapid(authorization, origin, Date.now());
      if (typeof vapid === 'string') return vapid;
      const token = /t=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? '';
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number };
      if (authorization) verified.set(authorization, claims.exp);
    }
    let subscriber = keys.get(member);
    if (!subscriber) keys.set(member, (subscriber = benchSubscriber(seed, member)));
    try {
      const payload = JSON.parse(decryptAes128gcm(body, subscriber.ecdh, subscriber.auth).toString('utf8')) as { kind?: string };
      if (payload.kind !== 'message') return `payload kind ${payload.kind}`;
    } catch (error) {
      return `cannot decrypt: ${(error as Error).message}`;
    }
    return null;
  };

  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const member = Number(/^\/push\/(\d+)$/.exec(request.url ?? '')?.[1] ?? -1);
      if (request.method !== 'POST' || !(member >= 0 && member < members)) {
        response.writeHead(404).end();
        return;
      }
      if (seen[member]) sink.duplicates += 1;
      else {
        seen[member] = 1;
        count += 1;
        unchecked.push({ member, authorization: request.headers.authorization, body });
        const at = Date.now();
        sink.firstAt ??= at;
        sink.lastAt = at;
      }
      response.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return sink;
}
