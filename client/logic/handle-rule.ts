/**
 * The @handle rule as people meet it: the shape both sides check (shared/limits.ts HANDLE_PATTERN,
 * the same steps as shared/schema.ts handleSchema: trimmed, a leading @ dropped, lower-case), with
 * the reason for a refusal in words. Whether a handle is free or reserved only the server knows.
 */
import { HANDLE_PATTERN, MAX_HANDLE_CHARS, MIN_HANDLE_CHARS } from '../../shared/limits';

export const HANDLE_RULE_TEXT = `A handle is ${MIN_HANDLE_CHARS} to ${MAX_HANDLE_CHARS} letters a–z, digits or _.`;

export type HandleCheck = { ok: true; handle: string } | { ok: false; message: string };

/** The handle as the server will store it, or why it cannot be one. */
export function checkHandleInput(raw: string): HandleCheck {
  const handle = raw.trim().replace(/^@/, '').toLowerCase();
  if (handle === '') return { ok: false, message: `Enter a handle. ${HANDLE_RULE_TEXT}` };
  if (handle.length < MIN_HANDLE_CHARS) return { ok: false, message: `Too short. ${HANDLE_RULE_TEXT}` };
  if (handle.length > MAX_HANDLE_CHARS) return { ok: false, message: `Too long. ${HANDLE_RULE_TEXT}` };
  if (!HANDLE_PATTERN.test(handle)) return { ok: false, message: `Only letters a–z, digits and _ — no spaces or other signs.` };
  return { ok: true, handle };
}

/** A 409 from `PUT /api/me/handle` ("@admin is reserved", "@ann is taken; try another") as a sentence that says what to do. */
export function handleConflictText(handle: string, serverMessage: string): string {
  if (/reserved/i.test(serverMessage)) return `@${handle} is reserved. Pick another handle.`;
  return `@${handle} is already taken. Pick another handle.`;
}
