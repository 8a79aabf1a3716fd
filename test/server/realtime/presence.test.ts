/**
 * Presence on a 2-worker cluster: who is online across workers, notices for a first
 * connection and a last disconnection, no flapping on reload, deltas, renames.
 * Each test has its own people, so they run at once: the grace periods overlap.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Notice, User } from '../../../shared/protocol';
import {
  connectAndCatchUp,
  connectAndWait,
  connectWhere,
  createSession,
  createSocket,
  waitFor,
  workerOf,
  type ChatSocket,
} from '../../support/clients';
import { useServer } from '../../support/server';

describe.concurrent('presence on a 2-worker cluster', () => {
  const open: ChatSocket[] = [];
  const connect = async (token: string, cursors?: Record<string, number>) => {
    const client = await connectAndCatchUp(server().url, token, { cursors });
    open.push(client.socket);
    return client;
  };
  /** Grace timers run in several processes: events this far apart keep their order whichever process times them. */
  const MARGIN_MS = 400;
  const pause = () => new Promise((resolve) => setTimeout(resolve, MARGIN_MS));
  /**
   * Someone who leaves just after what a test wants to prove harmless, so that their `left`
   * notice is a positive signal: anything that change had caused would have arrived before it.
   */
  const marker = async (watcher: Notice[]) => {
    const session = await createSession(server().url, 'Marker');
    const client = await connect(session.token);
    await waitFor(() => watcher.some((notice) => notice.user.id === session.user.id), 5000, 'the marker joined');
    return {
      async leave(): Promise<void> {
        await pause();
        client.socket.close();
      },
      left: () =>
        waitFor(
          () => watcher.some((notice) => notice.user.id === session.user.id && notice.kind === 'left'),
          12_000,
          "the marker's left notice",
        ),
    };
  };

  const server = useServer({ workers: 2 });
  afterAll(() => open.forEach((socket) => socket.close()));

  it('shows who is online across workers, with notices for first connection and last disconnection', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaClient = await connect(ana.token);
    let online: User[] = [];
    const notices: Notice[] = [];
    anaClient.socket.on('presence', (payload) => (online = payload.online));
    anaClient.socket.on('notice', (notice) => notices.push(notice));

    // Bob's two tabs on the two workers, Ana on one of them: every change crosses the cluster.
    const first = await connect(bob.token);
    const firstWorker = workerOf(first.socket);
    expect(firstWorker).not.toBeNull();
    const bobTabs = [
      first,
      await connectWhere(
        () => connect(bob.token),
        (worker) => worker !== firstWorker,
      ),
    ];
    await waitFor(() => online.some((user) => user.id === bob.user.id), 5000, 'Bob online for Ana');
    expect(notices.filter((notice) => notice.user.id === bob.user.id && notice.kind === 'joined')).toHaveLength(1);

    // Closing one of two tabs does not take Bob offline: once a later leaver's notice is in, his would have been too.
    const later = await marker(notices);
    bobTabs[0].socket.close();
    await later.leave();
    // Bob's last tab closes after the marker left, so the marker's notice arrives before his real one.
    await pause();
    bobTabs[1].socket.close();
    await later.left();
    expect(online.some((user) => user.id === bob.user.id)).toBe(true);
    expect(notices.filter((notice) => notice.user.id === bob.user.id)).toHaveLength(1);

    await waitFor(() => !online.some((user) => user.id === bob.user.id), 12_000, 'Bob offline for Ana');
    await waitFor(() => notices.some((notice) => notice.user.id === bob.user.id && notice.kind === 'left'), 5000, 'left notice');
    expect(notices.filter((notice) => notice.user.id === bob.user.id)).toHaveLength(2);
  });

  it('does not flap presence when a user reloads', async () => {
    const ana = await createSession(server().url, 'Ana');
    const cy = await createSession(server().url, 'Cy');
    const anaClient = await connect(ana.token);
    const notices: Notice[] = [];
    anaClient.socket.on('notice', (notice) => notices.push(notice));
    const cyFirst = await connect(cy.token);
    await waitFor(() => notices.some((notice) => notice.user.id === cy.user.id), 5000, 'Cy joined');
    const later = await marker(notices);
    notices.length = 0;
    // The reload lands on the other worker, as it may in production.
    const firstWorker = workerOf(cyFirst.socket);
    cyFirst.socket.close();
    await connectWhere(
      () => connect(cy.token),
      (worker) => worker !== firstWorker,
    );
    await later.leave();
    await later.left();
    expect(
      notices.filter((notice) => notice.user.id === cy.user.id),
      JSON.stringify(notices),
    ).toEqual([]);
  });

  it('renames a user everywhere: presence and later messages carry the new name', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaClient = await connect(ana.token);
    const bobClient = await connect(bob.token);
    let online: User[] = [];
    bobClient.socket.on('presence', (payload) => (online = payload.online));
    const response = await fetch(`${server().url}/api/me`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ana Lima' }),
    });
    expect(response.status).toBe(200);
    await waitFor(() => online.some((user) => user.id === ana.user.id && user.name === 'Ana Lima'), 5000, 'renamed presence');
    const ack = await anaClient.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'renamed-1', content: 'new name' });
    expect(ack).toMatchObject({ ok: true, message: { author: { id: ana.user.id, name: 'Ana Lima' } } });
  });

  it('sends presence deltas to clients that ask for them', async () => {
    const ana = await createSession(server().url, 'Ana');
    const bob = await createSession(server().url, 'Bob');
    const anaSocket = createSocket(server().url, ana.token);
    (anaSocket as unknown as { auth: object }).auth = { token: ana.token, presence: 'delta' };
    open.push(anaSocket);
    const full: User[][] = [];
    const deltas: { joined: User[]; left: User[] }[] = [];
    anaSocket.on('presence', (payload) => full.push(payload.online));
    anaSocket.on('presence:delta', (delta) => deltas.push(delta));
    await connectAndWait(anaSocket);
    await waitFor(() => full.length === 1, 5000, 'the first full list');

    const bobClient = await connect(bob.token);
    await waitFor(() => deltas.some((delta) => delta.joined.some((user) => user.id === bob.user.id)), 5000, 'Bob joined delta');
    bobClient.socket.close();
    await waitFor(() => deltas.some((delta) => delta.left.some((user) => user.id === bob.user.id)), 12_000, 'Bob left delta');
    expect(full).toHaveLength(1);
  });
});
