/**
 * Keeps the app exactly over the visible viewport, so the compose box stays above an on-screen
 * keyboard: Chromium resizes (interactive-widget), iOS pans the visual viewport, both are followed.
 */
export function trackVisualViewport(): void {
  const viewport = window.visualViewport;
  if (!viewport) return;
  const root = document.documentElement.style;
  const apply = () => {
    root.setProperty('--app-height', `${Math.round(viewport.height)}px`);
    root.setProperty('--app-offset', `${Math.round(viewport.offsetTop)}px`);
  };
  viewport.addEventListener('resize', apply);
  viewport.addEventListener('scroll', apply);
  // Not read now: `viewport.height` lays the page out on the spot, and main.ts calls this while
  // the first paint is not laid out yet: a forced layout inside the boot task (42 ms of it at
  // Lighthouse's 4x CPU throttle). The CSS fallbacks (100dvh, 0px) already fit a page that did
  // not open zoomed or under a keyboard; that is checked after the first frame, laid out by then.
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (Math.round(viewport.height) !== window.innerHeight || Math.round(viewport.offsetTop) !== 0) apply();
    }),
  );
}
