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
  apply();
}
