/**
 * Which type an uploaded file is, decided from its bytes (#18): what `file-type` detected, what
 * the client claimed, and what the server allows. A claim that contradicts the bytes is refused
 * (a `.png` that is a PDF or a program), except among images, which are re-encoded as what they
 * really are. Pure: the bytes are read elsewhere (media/ingest.ts).
 */
import { IMAGE_TYPES } from '../../shared/limits';

/** Names browsers and tools give the same type; `file-type` uses some of them too. */
const ALIASES = new Map<string, string>([
  ['image/jpg', 'image/jpeg'],
  ['image/pjpeg', 'image/jpeg'],
  ['audio/mp3', 'audio/mpeg'],
  ['audio/x-mp3', 'audio/mpeg'],
  ['audio/x-m4a', 'audio/mp4'],
  ['audio/m4a', 'audio/mp4'],
  ['audio/x-ogg', 'audio/ogg'],
  ['application/x-zip-compressed', 'application/zip'],
  ['application/x-zip', 'application/zip'],
  ['application/x-pdf', 'application/pdf'],
]);

/** The same container holds sound or pictures: a claim of one is not a lie about the other. */
const CONTAINER = new Map<string, string>([
  ['audio/mp4', 'mp4'],
  ['video/mp4', 'mp4'],
  ['audio/webm', 'webm'],
  ['video/webm', 'webm'],
  ['audio/ogg', 'ogg'],
  ['video/ogg', 'ogg'],
]);

/** What a client sends when the browser knows no type: no claim at all. */
const NO_CLAIM = new Set(['', 'application/octet-stream']);

/** Lower case, parameters dropped (`audio/ogg; codecs=opus` is `audio/ogg`), aliases resolved. */
export function canonicalType(type: string): string {
  const bare = type.split(';')[0].trim().toLowerCase();
  return ALIASES.get(bare) ?? bare;
}

export const isImageType = (type: string): boolean => (IMAGE_TYPES as readonly string[]).includes(type);

export type TypeFacts = {
  /** The `filetype` of the tus metadata. */
  claimed: string;
  /** What `file-type` read from the bytes; undefined when no signature matched. */
  detected: string | undefined;
  /** For files without a signature: the bytes are UTF-8 text without NUL. */
  looksLikeText: boolean;
  allowed: readonly string[];
};

export type TypeVerdict = { ok: true; type: string } | { ok: false; reason: string };

export function judgeType({ claimed, detected, looksLikeText, allowed }: TypeFacts): TypeVerdict {
  const claim = canonicalType(claimed);
  const allows = (type: string) => allowed.includes(type);
  if (detected === undefined) {
    // Plain text has no signature: believed only when claimed, and when the bytes are text.
    if (claim === 'text/plain' && looksLikeText && allows('text/plain')) return { ok: true, type: 'text/plain' };
    if (claim === 'text/plain') return { ok: false, reason: 'the file claims to be text but is not UTF-8 text' };
    return { ok: false, reason: `the file's type could not be recognised from its bytes (it claims ${claim || 'nothing'})` };
  }
  const type = canonicalType(detected);
  if (!allows(type)) return { ok: false, reason: `${type} files are not accepted here` };
  if (NO_CLAIM.has(claim) || claim === type) return { ok: true, type };
  if (isImageType(claim) && isImageType(type)) return { ok: true, type };
  const container = CONTAINER.get(type);
  if (container !== undefined && CONTAINER.get(claim) === container) return { ok: true, type };
  return { ok: false, reason: `the file claims to be ${claim} but its bytes are ${type}` };
}
