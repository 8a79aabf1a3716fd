/**
 * The attachments extension over HTTP, apart from api.ts (only the lazy attachment code calls it): finalize a
 * finished upload, and read an attachment's bytes or thumbnail with the bearer header (never a token in a URL).
 */
import type { Attachment } from '../../shared/protocol';
import { attachmentSchema, parsePayload } from '../../shared/schema';
import { ApiError, refusal } from './api';

/** Extension `POST /api/attachments`: the finished upload `upload` becomes an attachment (idempotent: again, the same one). */
export async function finalizeUpload(token: string, upload: string): Promise<Attachment> {
  const response = await fetch('/api/attachments', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ upload }),
  });
  if (!response.ok) throw await refusal(response);
  const parsed = parsePayload(attachmentSchema, await response.json());
  if (!parsed.ok) throw new ApiError(502, 'The server answered with an attachment this app cannot read');
  return parsed.value;
}

/** `GET /api/attachments/:id` (or its `/thumb`): the answer as it came, for the cache to keep. */
export async function fetchAttachment(token: string, path: string): Promise<Response> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw await refusal(response);
  return response;
}

export function attachmentPath(id: string, thumb: boolean): string {
  return `/api/attachments/${id}${thumb ? '/thumb' : ''}`;
}
