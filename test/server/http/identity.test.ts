/**
 * One person, many devices: a unique @handle, passkeys that sign in on a fresh
 * device, and one-time codes that link a device — on a 2-worker cluster, so
 * challenges and codes made by one worker are checked by another.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceLink, PasskeyInfo, SessionCreated, User } from '../../../shared/protocol';
import { connectAndCatchUp, createSession } from '../../support/clients';
import { useServer } from '../../support/server';
import { SoftAuthenticator } from '../../support/soft-authenticator';

type Answer = { status: number; body: unknown };

describe('identity across devices', () => {
  const server = useServer({ workers: 2 });

  async function call(method: string, path: string, token?: string, json?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (json !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server().url}/api${path}`, {
      method,
      headers,
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
  }

  it('gives each @handle to one person, whatever the case, and shows it with their name', async () => {
    const ana = await createSession(server().url, 'Ana');
    const other = await createSession(server().url, 'Ana');
    const claimed = await call('PUT', '/me/handle', ana.token, { handle: '@Ana_Lima' });
    expect(claimed).toEqual({ status: 200, body: { user: { ...ana.user, handle: 'ana_lima' } } });
    expect(await call('PUT', '/me/handle', other.token, { handle: 'ANA_LIMA' })).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict' } },
    });
    expect(await call('PUT', '/me/handle', other.token, { handle: 'admin' })).toMatchObject({
      status: 409,
      body: { error: { code: 'conflict' } },
    });
    for (const bad of ['ab', 'x'.repeat(25), 'no spaces', 'émile', 42]) {
      expect((await call('PUT', '/me/handle', other.token, { handle: bad })).status, String(bad)).toBe(400);
    }
    expect(((await call('GET', '/me', ana.token)).body as { user: User }).user.handle).toBe('ana_lima');

    // Messages and presence carry the handle, so a client can tell the two Anas apart.
    const client = await connectAndCatchUp(server().url, ana.token);
    const sent = await client.socket.emitWithAck('message:send', { room: 'general', clientOffset: 'h-1', content: 'hi' });
    expect(sent.ok && sent.message.author).toEqual({ ...ana.user, handle: 'ana_lima' });
    const history = await call('GET', '/rooms/general/messages', other.token);
    const mine = (history.body as { messages: Array<{ clientOffset: string; author: User }> }).messages.find(
      (message) => message.clientOffset === 'h-1',
    );
    expect(mine?.author.handle).toBe('ana_lima');
    client.socket.close();
  });

  it('lets exactly one of two simultaneous claims of a handle win', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([createSession(server().url, 'A'), createSession(server().url, 'B')]);
      const handle = `race_${round}_${Date.now() % 100000}`;
      const answers = await Promise.all([call('PUT', '/me/handle', a.token, { handle }), call('PUT', '/me/handle', b.token, { handle })]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    }
  });

  it('registers a passkey and signs in with it on a fresh device, where the account is the same', async () => {
    const laptop = await createSession(server().url, 'Grace');
    const authenticator = new SoftAuthenticator(server().url);
    const options = (await call('POST', '/passkeys/register/options', laptop.token)).body as Parameters<SoftAuthenticator['register']>[0];
    expect(options.user.id).toBeTruthy();
    const registered = await call('POST', '/passkeys/register/verify', laptop.token, authenticator.register(options));
    expect(registered.status).toBe(201);
    expect(
      ((await call('GET', '/passkeys', laptop.token)).body as { passkeys: PasskeyInfo[] }).passkeys.map((passkey) => passkey.id),
    ).toEqual([authenticator.id]);

    // A fresh device: no token at all.
    const loginOptions = (await call('POST', '/passkeys/login/options')).body as Parameters<SoftAuthenticator['authenticate']>[0];
    const response = authenticator.authenticate(loginOptions);
    const signedIn = await call('POST', '/passkeys/login/verify', undefined, response);
    expect(signedIn.status).toBe(200);
    const phone = signedIn.body as SessionCreated;
    expect(phone.user).toEqual(laptop.user);
    expect(phone.token).not.toBe(laptop.token);
    expect((await call('GET', '/me', phone.token)).status).toBe(200);
    expect(((await call('GET', '/sessions', phone.token)).body as { sessions: unknown[] }).sessions).toHaveLength(2);

    // The same answer again: its challenge was used up.
    expect(await call('POST', '/passkeys/login/verify', undefined, response)).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    // An answer made for another origin does not pass.
    const phished = authenticator.authenticate((await call('POST', '/passkeys/login/options')).body as { challenge: string }, {
      origin: 'https://evil.example',
    });
    expect((await call('POST', '/passkeys/login/verify', undefined, phished)).status).toBe(401);
    // A removed passkey signs nobody in.
    expect((await call('DELETE', `/passkeys/${authenticator.id}`, laptop.token)).status).toBe(204);
    const removed = authenticator.authenticate((await call('POST', '/passkeys/login/options')).body as { challenge: string });
    expect((await call('POST', '/passkeys/login/verify', undefined, removed)).status).toBe(401);
  });

  it("refuses a registration answering another account's challenge, or a malformed one", async () => {
    const mallory = await createSession(server().url, 'Mallory');
    const victim = await createSession(server().url, 'Victim');
    const options = (await call('POST', '/passkeys/register/options', victim.token)).body as Parameters<SoftAuthenticator['register']>[0];
    const answer = new SoftAuthenticator(server().url).register(options);
    expect((await call('POST', '/passkeys/register/verify', mallory.token, answer)).status).toBe(400);
    expect((await call('POST', '/passkeys/register/verify', victim.token, { id: 'x' })).status).toBe(400);
    expect((await call('POST', '/passkeys/login/verify', undefined, { junk: true })).status).toBe(400);
  });

  it('links a device with a one-time code, once', async () => {
    const phone = await createSession(server().url, 'Hedy');
    const link = await call('POST', '/devices/link', phone.token);
    expect(link.status).toBe(201);
    const { code, url, expiresAt } = link.body as DeviceLink;
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    expect(url).toBe(`${server().url}/#link=${code}`);
    expect(expiresAt - Date.now()).toBeGreaterThan(4 * 60_000);

    // Typed the way people type it: lower case, no dash.
    const redeemed = await call('POST', '/devices/redeem', undefined, { code: code.replace('-', '').toLowerCase() });
    expect(redeemed.status).toBe(200);
    const laptop = redeemed.body as SessionCreated;
    expect(laptop.user).toEqual(phone.user);
    expect((await call('GET', '/me', laptop.token)).status).toBe(200);
    expect(await call('POST', '/devices/redeem', undefined, { code })).toMatchObject({
      status: 401,
      body: { error: { code: 'unauthorized' } },
    });
    expect((await call('POST', '/devices/redeem', undefined, { code: 'nope' })).status).toBe(400);
  });
});
