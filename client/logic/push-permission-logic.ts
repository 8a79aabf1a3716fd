/**
 * Turning notifications on (#16) as plain decisions: is this an iPhone or iPad browser tab (where
 * only an app added to the Home Screen may get pushes), which step to show, and the VAPID key as
 * the bytes `pushManager.subscribe` wants.
 */

/** What the device tells about itself: the user agent, touch points, and whether the app runs installed. */
export type DeviceTraits = { userAgent: string; maxTouchPoints: number; standalone: boolean };

/** iPhone, iPod, or an iPad (which says "Macintosh" since iPadOS 13, but has a touch screen). */
export function isAppleMobile(traits: Pick<DeviceTraits, 'userAgent' | 'maxTouchPoints'>): boolean {
  return /iPhone|iPad|iPod/.test(traits.userAgent) || (/Macintosh/.test(traits.userAgent) && traits.maxTouchPoints > 1);
}

/**
 * `install-first`: an Apple phone or tablet in a browser tab, which gets no pushes until the app is
 * on the Home Screen; `unsupported`: no Web Push here; `denied`: the person said no, only the
 * browser's settings can undo it; `off` / `on`: this device's subscription.
 */
export type PushStep = 'install-first' | 'unsupported' | 'denied' | 'off' | 'on';

export function pushStep(
  traits: DeviceTraits,
  state: { supported: boolean; permission: NotificationPermission; subscribed: boolean },
): PushStep {
  if (isAppleMobile(traits) && !traits.standalone) return 'install-first';
  if (!state.supported) return 'unsupported';
  if (state.permission === 'denied') return 'denied';
  return state.subscribed && state.permission === 'granted' ? 'on' : 'off';
}

/** Where to allow notifications again after saying no. */
export function deniedHelp(traits: Pick<DeviceTraits, 'userAgent' | 'maxTouchPoints'>): string {
  if (isAppleMobile(traits)) return 'Notifications are blocked. Open the Settings app, then Notifications, find this app and allow them.';
  if (/Android/.test(traits.userAgent))
    return 'Notifications are blocked. Tap the icon left of the address (or the app’s info in Android settings), open Permissions, and allow Notifications.';
  return 'Notifications are blocked. Click the icon left of the address, open the site settings, and allow Notifications. Then try again.';
}

/** The VAPID public key (base64url) as bytes, the `applicationServerKey` of `pushManager.subscribe`. */
export function base64UrlBytes(key: string): Uint8Array<ArrayBuffer> {
  const base64 = key
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(key.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
