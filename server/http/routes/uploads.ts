/**
 * Extension (attachments, #18): tus 1.0.0 uploads at `/api/uploads` (media/uploads.ts). Creation
 * is the caller's; HEAD, PATCH and DELETE of an upload answer 404 to anyone but its owner, as
 * for one that does not exist. tus's own refusals come back as the usual `{ error }` bodies,
 * with the tus headers a client needs to resume.
 */
import { Hono, type Context } from 'hono';
import { err } from '../../chat/errors';
import type { MediaDeps } from '../../media/finalize';
import { errorResponse, type HttpErr } from '../errors';
import type { AppDeps, Env } from '../request';

export const NO_ATTACHMENTS = err('not_found', 'attachments are not available on this server');

/** tus statuses as the protocol's codes (423, a locked upload, is worth retrying like 503). */
function codeOfTusStatus(status: number): HttpErr['code'] {
  if (status === 403) return 'forbidden';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too_long';
  if (status >= 500 || status === 423) return 'unavailable';
  return 'invalid';
}

async function tusAnswer(c: Context<Env>, media: MediaDeps): Promise<Response> {
  const answer = await media.uploads.handle(c.req.raw, c.get('user').id);
  if (answer.status < 400) return answer;
  const message = (await answer.text()).trim() || `the upload was refused (${answer.status})`;
  for (const [name, value] of answer.headers) if (/^(tus-|upload-|access-control-)/i.test(name)) c.header(name, value);
  return errorResponse(c, { code: codeOfTusStatus(answer.status), message });
}

export function uploadRoutes(deps: AppDeps) {
  const notYours = err('not_found', 'no such upload of yours');
  return (
    new Hono<Env>()
      .post('/uploads', (c) => (deps.media ? tusAnswer(c, deps.media) : errorResponse(c, NO_ATTACHMENTS)))
      // Hono routes HEAD to GET handlers (and drops the body): a real GET of an upload is not tus.
      .on(['GET', 'PATCH', 'DELETE'], '/uploads/:id', async (c) => {
        if (!deps.media) return errorResponse(c, NO_ATTACHMENTS);
        if (c.req.method === 'GET') return errorResponse(c, err('not_found', `no route GET ${c.req.path}`));
        const upload = await deps.media.uploads.info(c.req.param('id'));
        if (!upload || upload.owner !== c.get('user').id) return errorResponse(c, notYours);
        return tusAnswer(c, deps.media);
      })
  );
}
