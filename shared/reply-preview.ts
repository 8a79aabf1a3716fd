/** What a reply shows of its parent's text: the first line, cut at a word near 100 characters. */
export const REPLY_PREVIEW_CHARS = 100;

export function replyPreviewText(content: string): string {
  const firstLine = content.trim().split('\n', 1)[0].trim();
  const chars = [...firstLine];
  if (chars.length <= REPLY_PREVIEW_CHARS) return firstLine;
  const cut = chars.slice(0, REPLY_PREVIEW_CHARS).join('');
  const space = cut.lastIndexOf(' ');
  return `${space > REPLY_PREVIEW_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}
