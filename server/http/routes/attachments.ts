/**
 * Extension (attachments, #18): finalize a finished upload into an Attachment, and read an
 * attachment's bytes or thumbnail. Every read checks access (chat/attachments.ts) and answers
 * 404 alike for what does not exist and what the caller may not see. What is served is never
 * run as a page: the checked type, `nosniff`, a sandboxing CSP, and `attachment` for anything
 * but an image.
 */
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import type { Attachment } from '../../../shared/protocol';
import { attachmentIdSchema, finalizeBodySchema, parsePayload } from '../../../shared/schema';
import { isImageType } from '../../chat/attachment-type';
import { readableAttachment } from '../../chat/attachments';
import { err } from '../../chat/errors';
import { finalizeUpload, type MediaDeps } from '../../media/finalize';
import { thumbKey } from '../../store/blob-store';
import { rangeOf } from '../byte-range';
import { contentDisposition } from '../content-disposition';
import { errorResponse, requestLog } from '../errors';
import { jsonBody, type AppDeps, type Env } from '../request';
import { NO_ATTACHMENTS } from './uploads';

const NOT_FOUND = err('not_found', 'no such attachment');
/** Content-addressed: the bytes under an id never change. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** Whether `If-None-Match` names this ETag (or any). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** The thumbnail's download name: the attachment's, as webp. */
const thumbName = (name: string): string => `${name.replace(/\.[^.]*$/, '')}.webp`;

async function serve(c: Context<Env>, deps: AppDeps, media: MediaDeps, thumb: boolean): Promise<Response> {
  const id = parsePayload(attachmentIdSchema, c.req.param('id'));
  if (!id.ok) return errorResponse(c, NOT_FOUND);
  const attachment: Attachment | null = await readableAttachment(deps.store, c.get('user').id, id.value);
  if (!attachment || (thumb && !isImageType(attachment.type))) return errorResponse(c, NOT_FOUND);

  const key = thumb ? thumbKey(attachment.id) : attachment.id;
  const type = thumb ? 'image/webp' : attachment.type;
  const etag = thumb ? `"${attachment.id}-thumb"` : `"${attachment.id}"`;
  c.header('ETag', etag);
  c.header('Cache-Control', IMMUTABLE);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Content-Security-Policy', "default-src 'none'; sandbox");
  if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);

  const size = await media.blobs.size(key);
  if (size === null) {
    // A record without its blob: storage lost it. Say so in the log, answer like a missing one.
    requestLog(c).error({ attachment: attachment.id, thumb }, 'attachment blob missing');
    return errorResponse(c, NOT_FOUND);
  }
  c.header('Accept-Ranges', 'bytes');
  c.header('Content-Type', type === 'text/plain' ? 'text/plain; charset=utf-8' : type);
  c.header(
    'Content-Disposition',
    contentDisposition(isImageType(type) ? 'inline' : 'attachment', thumb ? thumbName(attachment.name) : attachment.name),
  );
  // A range is only for the bytes the client already has part of; ours never change, so only a stale If-Range says no.
  const ifRange = c.req.header('if-range');
  const answer = ifRange !== undefined && ifRange !== etag ? ({ kind: 'whole' } as const) : rangeOf(c.req.header('range'), size);
  if (answer.kind === 'unsatisfiable') {
    c.header('Content-Range', `bytes */${size}`);
    return c.body(null, 416);
  }
  const range = answer.kind === 'part' ? answer.range : undefined;
  if (c.req.method === 'HEAD') {
    // Hono answers HEAD with the GET handler and drops the body: a stream opened for it would never be read or closed.
    c.header('Content-Length', String(range ? range.end - range.start + 1 : size));
    if (range) c.header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    return c.body(null, range ? 206 : 200);
  }
  const blob = await media.blobs.open(key, range);
  if (!blob) return errorResponse(c, NOT_FOUND);
  const body = Readable.toWeb(blob.stream) as ReadableStream<Uint8Array>;
  if (!range) {
    c.header('Content-Length', String(size));
    return c.body(body, 200);
  }
  c.header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  c.header('Content-Length', String(range.end - range.start + 1));
  return c.body(body, 206);
}

export function attachmentRoutes(deps: AppDeps) {
  return new Hono<Env>()
    .post('/attachments', jsonBody(finalizeBodySchema), async (c) => {
      if (!deps.media) return errorResponse(c, NO_ATTACHMENTS);
      const outcome = await finalizeUpload(deps.media, deps.store, c.get('user').id, c.req.valid('json').upload);
      if (outcome.ok) {
        const attachment: Attachment = outcome.attachment;
        return outcome.created ? c.json(attachment, 201) : c.json(attachment, 200);
      }
      if (outcome.code === 'unsupported') return errorResponse(c, err('invalid', outcome.message), 415);
      if (outcome.code === 'conflict') return errorResponse(c, { code: 'conflict', message: outcome.message });
      return errorResponse(c, err(outcome.code, outcome.message));
    })
    .get('/attachments/:id', (c) => (deps.media ? serve(c, deps, deps.media, false) : errorResponse(c, NO_ATTACHMENTS)))
    .get('/attachments/:id/thumb', (c) => (deps.media ? serve(c, deps, deps.media, true) : errorResponse(c, NO_ATTACHMENTS)));
}
