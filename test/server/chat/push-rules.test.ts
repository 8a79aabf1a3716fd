/** The pure rules of Web Push: which addresses are private, which endpoints are allowed, who gets a push, and what fits. */
import { describe, expect, it } from 'vitest';
import { mentionedHandles } from '../../../shared/push';
import { endpointRefusal, isPrivateAddress } from '../../../server/chat/push-endpoints';
import { MAX_PUSH_PLAINTEXT_BYTES, messagePayload, pushTopic } from '../../../server/chat/push-payload';
import { recipientsOf } from '../../../server/chat/push-recipients';
import { readConfig } from '../../../server/config';
import type { PushTarget } from '../../../server/store/push-store';

describe('push rules', () => {
  it('calls every loopback, private, link-local, mapped and reserved address private, and public ones public', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a00:1',
      'not an address',
    ])
      expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ['142.250.74.46', '2a00:1450:4001:82b::200a', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(address), address).toBe(false);
  });

  it('allows only https endpoints under the push services by default', () => {
    const { endpoints } = readConfig({}).push;
    expect(endpointRefusal('https://fcm.googleapis.com/fcm/send/abc', endpoints)).toBeNull();
    expect(endpointRefusal('https://updates.push.services.mozilla.com/wpush/v2/abc', endpoints)).toBeNull();
    expect(endpointRefusal('https://web.push.apple.com/abc', endpoints)).toBeNull();
    expect(endpointRefusal('https://wns2-par02p.notify.windows.com/w/?token=abc', endpoints)).toBeNull();
    for (const bad of [
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://fcm.googleapis.com.evil.example/x',
      'https://evilfcm.googleapis.com.example/x',
      'https://fcm.googleapis.com:8443/x',
      'https://user:pass@fcm.googleapis.com/x',
      'https://10.0.0.1/x',
      'https://[::1]/x',
      'http://127.0.0.1:8080/x',
    ])
      expect(endpointRefusal(bad, endpoints), bad).not.toBeNull();
  });

  it('trusts an exact origin from the config, and only that origin', () => {
    const { endpoints } = readConfig({ CHAT_PUSH_ENDPOINTS: 'http://127.0.0.1:9999' }).push;
    expect(endpointRefusal('http://127.0.0.1:9999/push/1', endpoints)).toBeNull();
    expect(endpointRefusal('http://127.0.0.1:9998/push/1', endpoints)).not.toBeNull();
    expect(endpointRefusal('https://fcm.googleapis.com/x', endpoints)).not.toBeNull();
    expect(() => readConfig({ CHAT_PUSH_ENDPOINTS: 'http://127.0.0.1:9999/path' })).toThrow(/bare/);
    expect(() => readConfig({ CHAT_VAPID_PUBLIC_KEY: 'abc' })).toThrow(/together/);
  });

  it('reads mentions as @handles, not e-mail addresses', () => {
    expect([...mentionedHandles('hi @Ana_1 and @bob, mail me at x@carol.com, @zz too short')]).toEqual(['ana_1', 'bob']);
  });

  it('notifies by level: muted never, mentions only when named (handle, or @display name without one), all always', () => {
    const target = (userId: string, level: PushTarget['level'], handle: string | null, name = userId): PushTarget => ({
      sessionId: `s-${userId}`,
      userId,
      endpoint: `https://fcm.googleapis.com/${userId}`,
      p256dh: '',
      auth: '',
      level,
      handle,
      name,
    });
    const targets = [
      target('quiet', 'muted', 'quiet'),
      target('named', null, 'named'),
      target('other', null, 'other'),
      target('loud', 'all', 'loud'),
      target('nohandle', null, null, 'Zoë Li'),
    ];
    const ids = (content: string, room = 'design') =>
      recipientsOf({ room, content }, targets).map((r) => `${r.target.userId}:${r.mention}`);
    expect(ids('hello @named @quiet, and @Zoë Li')).toEqual(['named:true', 'loud:false', 'nohandle:true']);
    expect(ids('nobody')).toEqual(['loud:false']);
    // DMs default to all.
    expect(ids('nobody', 'dm:a:b')).toEqual(['named:false', 'other:false', 'loud:false', 'nohandle:false']);
  });

  it('keeps a payload within what a push may carry, and topics short and URL-safe', () => {
    const message = {
      id: 1,
      room: 'general',
      seq: 1,
      author: { id: 'a', name: 'Ana' },
      clientOffset: 'c',
      content: '"\u0001'.repeat(2000),
      ts: 1,
    };
    const payload = messagePayload(message, false);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PUSH_PLAINTEXT_BYTES);
    expect(JSON.parse(payload)).toMatchObject({ complete: false });
    expect(JSON.parse(messagePayload({ ...message, content: 'short' }, true))).toMatchObject({ complete: true, mention: true });
    expect(pushTopic(`dm:${'x'.repeat(32)}:${'y'.repeat(32)}`)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('carries attachments whole when they fit, else their names only (and the push is not complete)', () => {
    const photo = {
      id: 'a'.repeat(64),
      name: 'beach.jpg',
      type: 'image/jpeg',
      size: 1000,
      width: 4,
      height: 3,
      thumbhash: 'YJqGPQw7sFlslqhFafSE+Q6oJ1h2iHB2Rw==',
    };
    const message = {
      id: 1,
      room: 'general',
      seq: 1,
      author: { id: 'a', name: 'Ana' },
      clientOffset: 'c',
      content: '',
      ts: 1,
      attachments: [photo],
    };
    expect(JSON.parse(messagePayload(message, false))).toMatchObject({ complete: true, message: { attachments: [photo] } });
    const many = {
      ...message,
      content: 'x'.repeat(2000),
      attachments: Array.from({ length: 10 }, (_, index) => ({ ...photo, name: `photo-${index}.jpg` })),
    };
    const payload = messagePayload(many, false);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(MAX_PUSH_PLAINTEXT_BYTES);
    const parsed = JSON.parse(payload) as { complete: boolean; message: object; attachmentNames: string[] };
    expect(parsed.complete).toBe(false);
    expect('attachments' in parsed.message).toBe(false);
    expect(parsed.attachmentNames).toEqual(many.attachments.map((attachment) => attachment.name));
  });
});
