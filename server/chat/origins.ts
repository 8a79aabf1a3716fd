/** Which browser origins may use the API and sockets: our own, plus those listed in CHAT_ORIGINS. */

export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  // Non-browser clients (bots, tests, native apps) send no Origin; CORS is a browser concern.
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
