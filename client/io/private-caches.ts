/** The page's one use of Cache Storage: at sign-out, delete every cache that may hold private data (all but the app shell's precache). */
import { isAppShellCache } from '../logic/sign-out-logic';

/** Returns how many caches were deleted (none today: the service worker caches the shell only; this keeps it so). */
export async function deletePrivateCaches(): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const names = (await caches.keys()).filter((name) => !isAppShellCache(name));
  await Promise.all(names.map((name) => caches.delete(name)));
  return names.length;
}
