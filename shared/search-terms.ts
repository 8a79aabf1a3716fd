/**
 * What a search for some text looks for, decided the same way by the server
 * (both stores) and the PWA's offline index: the words of the query (letters
 * and digits, any script), lower-case, all of which a message must contain.
 */
export const MAX_SEARCH_TERMS = 10;
export const MAX_SEARCH_TERM_CHARS = 64;

/** Search answers mark the matched words in snippets with these (never HTML; the client renders them as <mark>). */
export const SNIPPET_MARK_START = '\uE000';
export const SNIPPET_MARK_END = '\uE001';

export function searchTerms(query: string): string[] {
  const words =
    query
      .normalize('NFC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words.map((word) => word.slice(0, MAX_SEARCH_TERM_CHARS)))].slice(0, MAX_SEARCH_TERMS);
}
