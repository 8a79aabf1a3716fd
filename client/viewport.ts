/** Keeps the app exactly as tall as the visible viewport, so the compose box stays above an on-screen keyboard (iOS too). */
export function trackVisualViewport(): void {
  const viewport = window.visualViewport;
  if (!viewport) return;
  const apply = () => document.documentElement.style.setProperty('--app-height', `${Math.round(viewport.height)}px`);
  viewport.addEventListener('resize', apply);
  apply();
}
