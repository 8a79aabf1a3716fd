/**
 * index.html's first paint (#boot, beside the app's own #app): Join's intro on a first visit,
 * "Opening chat…" on a device signed in last time. It stays in the page until a screen has
 * mounted over it, instead of Vue clearing it when the app mounts: a first visit reads the
 * intro from the first paint, and its nodes are the page's largest content for as long as a
 * browser measures it (a node removed right after its paint is not counted). Join's own intro
 * is the same markup in the same place, so nothing moves when the shell goes.
 */
export function dropBootPaint(): void {
  document.getElementById('boot')?.remove();
}
