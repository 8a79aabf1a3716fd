/**
 * What a change may do to a message, decided the same way by both stores inside
 * their write transaction: only the author edits or deletes, within the edit
 * window; a deleted message takes no more changes (deleting it again answers the
 * first deletion); reactions stay within the distinct-emoji bound.
 */
import { WriteRefused, type ChangeRules, type NewChange } from './store';

/** No edit window; up to 20 different emoji on one message. */
export const DEFAULT_CHANGE_RULES: ChangeRules = { editWindowMs: null, maxReactionEmoji: 20 };

/** What the rules need to know of the message a change points at. */
export type ChangeTarget = { authorId: string; ts: number; deleted: boolean; reactions: Record<string, string[]> };

/** A refusal, 'repeat-delete' (answer with the first deletion), or null when the change may go ahead. */
export function judgeChange(
  input: NewChange,
  target: ChangeTarget,
  rules: ChangeRules,
  now: number,
): WriteRefused | 'repeat-delete' | null {
  if (input.kind !== 'react' && target.authorId !== input.author.id) {
    return new WriteRefused('forbidden', 'only its author may change or delete a message');
  }
  if (input.kind === 'edit' && rules.editWindowMs !== null && now - target.ts > rules.editWindowMs) {
    return new WriteRefused('forbidden', 'this message is too old to edit');
  }
  if (target.deleted) return input.kind === 'delete' ? 'repeat-delete' : new WriteRefused('invalid', 'this message was deleted');
  if (input.kind === 'react' && input.on && !Object.hasOwn(target.reactions, input.emoji)) {
    if (Object.keys(target.reactions).length >= rules.maxReactionEmoji) {
      return new WriteRefused('invalid', `a message takes at most ${rules.maxReactionEmoji} different reactions`);
    }
  }
  return null;
}

/**
 * The message's reactions after one person's toggle, as the JSON its row keeps (null when none
 * are left): emoji in the order they were first put on, people in the order they reacted. The
 * row's JSON is the only record of reactions, so a toggle is a read-modify-write of the target
 * row the transaction has already read. Putting on what is there, or taking off what is not,
 * leaves it as it was.
 */
export function toggledReactions(reactions: Record<string, string[]>, userId: string, emoji: string, on: boolean): string | null {
  // A Map: emoji come from clients, and a plain object would walk its prototype for them.
  const byEmoji = new Map(Object.entries(reactions));
  const people = byEmoji.get(emoji) ?? [];
  if (on && !people.includes(userId)) byEmoji.set(emoji, [...people, userId]);
  if (!on && people.includes(userId)) {
    const left = people.filter((id) => id !== userId);
    if (left.length > 0) byEmoji.set(emoji, left);
    else byEmoji.delete(emoji);
  }
  return byEmoji.size > 0 ? JSON.stringify(Object.fromEntries(byEmoji)) : null;
}
