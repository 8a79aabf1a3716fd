/**
 * Adding a device: reading a link code from what a person typed or from the link they opened
 * (`<origin>/#link=XXXX-XXXX`, the server's URL for the QR code), and the code's countdown in words.
 * The code shape is the shared one (shared/limits.ts; shared/schema.ts linkCodeSchema does the same steps).
 */
import { LINK_CODE_ALPHABET, LINK_CODE_CHARS } from '../../shared/limits';

/** The code as the server reads it (upper-case, no dash or spaces), or undefined when it cannot be one. */
export function normalizeLinkCode(raw: string): string | undefined {
  const code = raw.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== LINK_CODE_CHARS || ![...code].every((char) => LINK_CODE_ALPHABET.includes(char))) return undefined;
  return code;
}

export const LINK_CODE_RULE_TEXT = `Enter the ${LINK_CODE_CHARS}-character code shown on your other device, like 7KQ2-M9XD.`;

/** The code a link carries in its hash (`#link=`) or query (`?link=`), or undefined. */
export function linkCodeFromUrl(url: { hash: string; search: string }): string | undefined {
  const fromHash = new URLSearchParams(url.hash.replace(/^#/, '')).get('link');
  const raw = fromHash ?? new URLSearchParams(url.search).get('link');
  return raw ? normalizeLinkCode(raw) : undefined;
}

/** "Expires in 4:59", or that it has expired and what to do. */
export function linkExpiryText(msLeft: number): string {
  if (msLeft <= 0) return 'Code expired — make a new one.';
  const seconds = Math.ceil(msLeft / 1000);
  return `Expires in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** A 401 from `POST /api/devices/redeem` (wrong, used or expired: the server does not say which) in words. */
export const REDEEM_REFUSED_TEXT =
  'That code is wrong, used or expired — make a new one on your other device (Your profile → Add a device).';
