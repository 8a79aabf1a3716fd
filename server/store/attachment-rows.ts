/** How attachment rows read in both SQL stores (same columns, same names) and become protocol values. */
import type { Attachment } from '../../shared/protocol';

export type AttachmentRow = {
  id: string;
  name: string;
  type: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbhash: string | null;
};

/** The blob's facts from `attachments a`, the name from whichever table the query names `name`. */
export const ATTACHMENT_FACTS = 'a.id, a.type, a.size, a.width, a.height, a.thumbhash';

/** Keys in the protocol's order; image fields only when present. */
export function toAttachment(row: AttachmentRow): Attachment {
  const attachment: Attachment = { id: row.id, name: row.name, type: row.type, size: Number(row.size) };
  if (row.width !== null && row.height !== null) Object.assign(attachment, { width: Number(row.width), height: Number(row.height) });
  if (row.thumbhash !== null) attachment.thumbhash = row.thumbhash;
  return attachment;
}
