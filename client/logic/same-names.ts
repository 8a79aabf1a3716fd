/**
 * Display names are free text and repeat; handles do not. Wherever two people in view share a display
 * name, the view shows the @handle beside it, so "Ann" and "Ann" can be told apart. Names are compared
 * as people read them: trimmed, NFC, without regard to case.
 */
import type { User } from '../../shared/protocol';

const readAs = (name: string): string => name.trim().normalize('NFC').toLocaleLowerCase();

/**
 * The handle to show beside each person in view, by user id: only for people whose name another
 * person in view also has, and only once they claimed a handle. The latest entry of an id wins
 * (a person renamed while older messages still carry the old name).
 */
export function handlesToShow(people: Iterable<User>): Map<string, string> {
  const latest = new Map<string, User>();
  for (const user of people) latest.set(user.id, user);
  const idsByName = new Map<string, Set<string>>();
  for (const user of latest.values()) {
    const key = readAs(user.name);
    const ids = idsByName.get(key) ?? new Set<string>();
    ids.add(user.id);
    idsByName.set(key, ids);
  }
  const shown = new Map<string, string>();
  for (const user of latest.values()) {
    if (user.handle && (idsByName.get(readAs(user.name))?.size ?? 0) > 1) shown.set(user.id, `@${user.handle}`);
  }
  return shown;
}
