import { describe, expect, it } from 'vitest';
import { base64UrlBytes, deniedHelp, isAppleMobile, pushStep, type DeviceTraits } from '../../../client/logic/push-permission-logic';

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const IPAD_AS_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';
const ANDROID = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';

const device = (userAgent: string, maxTouchPoints = 0, standalone = false): DeviceTraits => ({ userAgent, maxTouchPoints, standalone });
const ready = { supported: true, permission: 'default' as NotificationPermission, subscribed: false };

describe('iPhone and iPad', () => {
  it('are told apart from a Mac by their touch screen', () => {
    expect(isAppleMobile(device(IPHONE, 5))).toBe(true);
    expect(isAppleMobile(device(IPAD_AS_MAC, 5))).toBe(true);
    expect(isAppleMobile(device(IPAD_AS_MAC, 0))).toBe(false);
    expect(isAppleMobile(device(ANDROID, 5))).toBe(false);
  });

  it('show the Home Screen steps first in a browser tab, even where Safari has no PushManager', () => {
    expect(pushStep(device(IPHONE, 5), { ...ready, supported: false })).toBe('install-first');
    expect(pushStep(device(IPAD_AS_MAC, 5), ready)).toBe('install-first');
    expect(pushStep(device(IPHONE, 5, true), ready)).toBe('off');
  });
});

describe('the step to show', () => {
  it('follows support, permission and the subscription', () => {
    expect(pushStep(device(ANDROID), { ...ready, supported: false })).toBe('unsupported');
    expect(pushStep(device(ANDROID), { ...ready, permission: 'denied' })).toBe('denied');
    expect(pushStep(device(ANDROID), { ...ready, permission: 'denied', subscribed: true })).toBe('denied');
    expect(pushStep(device(ANDROID), ready)).toBe('off');
    expect(pushStep(device(ANDROID), { ...ready, permission: 'granted' })).toBe('off');
    expect(pushStep(device(ANDROID), { ...ready, permission: 'granted', subscribed: true })).toBe('on');
  });

  it('says where to unblock notifications on each kind of device', () => {
    expect(deniedHelp(device(IPHONE, 5))).toMatch(/Settings app/);
    expect(deniedHelp(device(ANDROID))).toMatch(/Permissions/);
    expect(deniedHelp(device('Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0'))).toMatch(/site settings/);
  });
});

describe('the VAPID key', () => {
  it('becomes the bytes it encodes, with or without padding', () => {
    expect([...base64UrlBytes('AQID_-8')]).toEqual([1, 2, 3, 255, 239]);
    expect([...base64UrlBytes('AQID_-8=')]).toEqual([1, 2, 3, 255, 239]);
    expect(base64UrlBytes('B'.padEnd(87, 'A'))).toHaveLength(65);
  });
});
