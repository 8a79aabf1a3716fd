/**
 * The attachments extension over HTTP, apart from api.ts (only the lazy attachment code calls it): finalize a
 * finished upload, and read an attachment's bytes or thumbnail with the bearer header (never a token in a URL).
 */
import type { Attachment } from '../../shared/protocol';
import { api, options, refusal } from './api';

/** Extension `POST /api/attachments`: the finished upload `upload` becomes an attachment (idempotent: again, the same one). */
export async function finalizeUpload(token: string, upload: string): Promise<Attachment> {
  const response = await api.attachments.$post({ json: { upload } }, options(token));
  if (!response.ok) throw await refusal(response);
  return response.json();
}

/**
 * `GET /api/attachments/:id` (or its `/thumb`): the answer as it came, for the Cache Storage cache to keep
 * (`cache.put` takes a `Response`, which the typed client's answer is not typed as; the path is the cache key).
 */
export async function fetchAttachment(token: string, path: string): Promise<Response> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw await refusal(response);
  return response;
}

export function attachmentPath(id: string, thumb: boolean): string {
  return `/api/attachments/${id}${thumb ? '/thumb' : ''}`;
}
