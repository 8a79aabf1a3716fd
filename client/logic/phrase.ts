/**
 * Sentences that name people, kept in parts so the view can isolate each name (`<bdi>`): names are
 * not unique and may be written right to left, and a name must never reorder the words around it.
 */

export type PhrasePart = { text: string; person?: true };
export type Phrase = readonly PhrasePart[];

/** A person's display name inside a phrase. */
export function person(name: string): PhrasePart {
  return { text: name, person: true };
}

/** The phrase as plain text (titles, tests). */
export function phraseText(phrase: Phrase): string {
  return phrase.map((part) => part.text).join('');
}
