/**
 * The name an attachment is shown and downloaded under (#18): the file name as given, without
 * any path, control or format characters (a bidi override could disguise `exe.jpg` as
 * `gpj.exe`), NFC, at most MAX_ATTACHMENT_NAME_CHARS code points with its extension kept.
 */
import { MAX_ATTACHMENT_NAME_CHARS } from '../../shared/limits';

// Controls, format characters (bidi overrides, zero-width), line/paragraph separators.
const HIDDEN = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
const MAX_EXTENSION_CHARS = 16;

export function attachmentName(raw: string): string {
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  const cleaned = lastSegment.normalize('NFC').replace(HIDDEN, '').trim();
  // Names that are only dots would mean a folder on a disk they are saved to.
  const name = /^\.*$/.test(cleaned) ? 'file' : cleaned;
  const chars = [...name];
  if (chars.length <= MAX_ATTACHMENT_NAME_CHARS) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= MAX_EXTENSION_CHARS ? name.slice(dot) : '';
  const keep = MAX_ATTACHMENT_NAME_CHARS - [...extension].length;
  return chars.slice(0, keep).join('') + extension;
}
