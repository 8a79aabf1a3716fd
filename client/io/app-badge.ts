/**
 * The app badge (#16): the total unread on the installed app's icon, where the platform has one
 * (Chromium and Safari for installed apps); elsewhere nothing happens. The service worker keeps it
 * while the app is closed, the page while it is open.
 */
type Badging = { setAppBadge?(count?: number): Promise<void>; clearAppBadge?(): Promise<void> };

export function showAppBadge(total: number): void {
  const badging = navigator as Navigator & Badging;
  void (total > 0 ? badging.setAppBadge?.(total) : badging.clearAppBadge?.())?.catch(() => undefined);
}
