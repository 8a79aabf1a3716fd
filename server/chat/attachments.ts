/**
 * Who may read or send an attachment (#18). Ids are unguessable, but that is not a permission:
 * every read and every send is checked here. An attachment is readable by each user who
 * finalized it, and by anyone who may read a room holding a (not deleted) message carrying it,
 * by the same rule as history (chat/access.ts).
 */
import type { Attachment, Err } from '../../shared/protocol';
import type { Store } from '../store/store';
import { accessTo } from './access';
import { err } from './errors';

/** Rooms looked at per read; public rooms come first, so only a blob shared in over this many DMs could be missed. */
const ROOMS_CHECKED = 1000;

/** The attachment as this user may see it (their own name for it, or the name a readable room's message gives it), or null. */
export async function readableAttachment(store: Store, userId: string, id: string): Promise<Attachment | null> {
  const [own] = await store.attachmentsFinalizedBy(userId, [id]);
  if (own) return own;
  for (const { room, attachment } of await store.attachmentRooms(id, ROOMS_CHECKED)) {
    if ((await accessTo(store, userId, room)) !== 'forbidden') return attachment;
  }
  return null;
}

export type ResolvedAttachments = { ok: true; attachments: Attachment[] } | { ok: false; error: Err };

/** The attachments a send names, in the order named, each one the sender finalized or may read; else `invalid` naming the first that is not. */
export async function attachmentsToSend(store: Store, userId: string, ids: string[]): Promise<ResolvedAttachments> {
  const own = new Map((await store.attachmentsFinalizedBy(userId, ids)).map((attachment) => [attachment.id, attachment]));
  const attachments: Attachment[] = [];
  for (const id of ids) {
    const attachment = own.get(id) ?? (await readableAttachment(store, userId, id));
    // The same answer for an id that does not exist: existence is not revealed.
    if (!attachment) return { ok: false, error: err('invalid', `attachment ${id} is not yours to send`) };
    attachments.push(attachment);
  }
  return { ok: true, attachments };
}
