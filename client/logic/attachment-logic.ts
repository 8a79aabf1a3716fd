/** Pure attachment decisions: what is re-encoded and to what size, what may be picked, upload ids and progress, what a failed upload means. */
import { DEFAULT_ATTACHMENT_MAX_BYTES, IMAGE_TYPES, MAX_ATTACHMENTS, UPLOAD_ID_PATTERN } from '../../shared/limits';
import type { Err } from '../../shared/protocol';
import type { LocalAttachment, LocalMessage, OutboxEntry, QueuedFile } from './models';
import { formatBytes } from './storage-bound';

/** The size an image is drawn at so its longest side is at most `maxSide` (never enlarged). */
export function fitWithin(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longest = Math.max(width, height);
  if (longest <= maxSide || longest === 0) return { width, height };
  const scale = maxSide / longest;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * What a picked image is re-encoded as on the device (which drops EXIF, location included), or undefined to
 * send it as it is: a GIF keeps its animation, anything not an image is a file. PNG becomes WebP (keeps
 * transparency), every other image a JPEG. Types the browser cannot decode (say HEIC on Chromium) fail later and
 * go as files.
 */
export function reencodeTypeOf(type: string): 'image/jpeg' | 'image/webp' | undefined {
  if (!type.startsWith('image/') || type === 'image/gif' || type === 'image/svg+xml') return undefined;
  return type === 'image/png' ? 'image/webp' : 'image/jpeg';
}

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/webp': 'webp', 'image/png': 'png' };

/** The file name after a re-encode: the same stem, the new type's extension ("IMG_1.HEIC" → "IMG_1.jpg"). */
export function renamed(name: string, type: string): string {
  const extension = EXTENSIONS[type];
  if (!extension) return name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name || 'image';
  return `${stem}.${extension}`;
}

/** Whether the timeline draws it as a picture (the types the server thumbnails), else as a file card. */
export function isImage(attachment: Pick<LocalAttachment, 'type'>): boolean {
  return (IMAGE_TYPES as readonly string[]).includes(attachment.type);
}

/** Why these files cannot join the ones already picked, in words; undefined when they can. */
export function pickProblem(
  files: readonly { name: string; size: number }[],
  alreadyPicked: number,
  maxBytes = DEFAULT_ATTACHMENT_MAX_BYTES,
): string | undefined {
  if (alreadyPicked + files.length > MAX_ATTACHMENTS) return `At most ${MAX_ATTACHMENTS} files per message.`;
  const tooLarge = files.find((file) => file.size > maxBytes);
  if (tooLarge) return `${tooLarge.name} is larger than ${formatBytes(maxBytes)}.`;
  if (files.some((file) => file.size === 0)) return 'An empty file cannot be sent.';
  return undefined;
}

/** The tus upload id: the last path segment of its URL, as the server mints it; undefined for anything else. */
export function uploadIdOf(uploadUrl: string): string | undefined {
  const path = uploadUrl.split(/[?#]/, 1)[0] ?? '';
  const id = path.slice(path.lastIndexOf('/') + 1);
  // Ids the server mints need no escaping: anything escaped is not one.
  return UPLOAD_ID_PATTERN.test(id) ? id : undefined;
}

/** Indexes of a send's files that still need uploading or finalizing, in order. */
export function filesLeft(entry: OutboxEntry): number[] {
  if (entry.kind !== 'send' || !entry.files) return [];
  return entry.files.flatMap((file, index) => (file.attachment ? [] : [index]));
}

/** How far a send's files are, 0..1, by bytes: finished files count whole, the others by what the server holds. */
export function progressOf(files: readonly Pick<QueuedFile, 'size' | 'attachment'>[], sent: ReadonlyMap<number, number>): number {
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total === 0) return 0;
  const done = files.reduce((sum, file, index) => sum + (file.attachment ? file.size : Math.min(file.size, sent.get(index) ?? 0)), 0);
  return done / total;
}

/**
 * What a failed upload or finalize means for the send: try again later; start this file's upload over (the
 * server no longer has it: expired, or finalized and deleted before we kept the answer); or a refusal for good
 * (the message fails, with Retry and Delete).
 */
export function uploadOutcomeOf(status: number | undefined): { kind: 'retry' } | { kind: 'restart' } | { kind: 'failed'; error: Err } {
  if (status === 404 || status === 410) return { kind: 'restart' };
  if (status === 413) return { kind: 'failed', error: { code: 'invalid', message: 'This file is too large to send.' } };
  if (status === 415) return { kind: 'failed', error: { code: 'invalid', message: 'This type of file cannot be sent.' } };
  if (status === 400 || status === 403 || status === 422)
    return { kind: 'failed', error: { code: 'invalid', message: 'The server refused this file.' } };
  // No answer, a 5xx, a 429, a 409 (not complete yet), or an expired session (the connection deals with it).
  return { kind: 'retry' };
}

/** "report.pdf, 1.2 MB": a file card's accessible name. */
export function fileLabel(attachment: Pick<LocalAttachment, 'name' | 'size'>): string {
  return `${attachment.name}, ${formatBytes(attachment.size)}`;
}

/** "Uploading 2 photos, 40%": the progress ring's words. */
export function uploadLabel(count: number, fraction: number): string {
  return `Uploading ${count === 1 ? '1 file' : `${count} files`}, ${Math.round(fraction * 100)}%`;
}

/** The Cache Storage cache holding a room's seen attachments (deleted at sign-out with every private cache). */
export function attachmentCacheName(room: string): string {
  return `attachments:${room}`;
}

/** The attachment ids a room's stored messages still carry: what its cache may keep under the storage bound. */
export function heldAttachmentIds(timeline: readonly LocalMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const message of timeline) for (const attachment of message.attachments ?? []) if (attachment.id) ids.add(attachment.id);
  return ids;
}

/** The attachment id a cached request is for (`/api/attachments/<id>` or `…/<id>/thumb`). */
export function attachmentIdOfPath(path: string): string | undefined {
  return /\/api\/attachments\/([0-9a-f]{64})(?:\/thumb)?$/.exec(path)?.[1];
}

/** Width over height of the box a picture takes before it loads (square when the size is unknown). */
export function aspectOf(attachment: Pick<LocalAttachment, 'width' | 'height'>): number {
  const { width, height } = attachment;
  if (!width || !height) return 1;
  // Very long panoramas and screenshots are cropped rather than drawn as a sliver.
  return Math.min(2, Math.max(0.5, width / height));
}

/** The zoom of the viewer after a pinch from `startDistance` to `distance` (fingers apart), kept within 1..8. */
export function pinchScale(startScale: number, startDistance: number, distance: number): number {
  if (startDistance <= 0) return startScale;
  return Math.min(8, Math.max(1, (startScale * distance) / startDistance));
}
