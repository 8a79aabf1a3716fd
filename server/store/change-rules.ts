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

/** Emoji → user ids, in the order they reacted, from (emoji, user) rows already in that order. */
export function reactionsJson(rows: ReadonlyArray<{ emoji: string; user_id: string }>): string | null {
  const byEmoji: Record<string, string[]> = {};
  for (const { emoji, user_id } of rows) (byEmoji[emoji] ??= []).push(user_id);
  return Object.keys(byEmoji).length > 0 ? JSON.stringify(byEmoji) : null;
}
