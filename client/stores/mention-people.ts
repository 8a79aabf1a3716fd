/**
 * Who a room's mentions can name, as far as this device knows (#16): the authors in its timeline,
 * the other person of a DM, the people online, and ourselves; one entry per person, current names
 * winning. Loaded with the autocomplete and the mention highlighting, never in the shell.
 */
import { defineStore } from 'pinia';
import { computed, type ComputedRef } from 'vue';
import type { RoomId, User } from '../../shared/protocol';
import { useMessagesStore } from './messages';
import { usePresenceStore } from './presence';
import { useRoomsStore } from './rooms';
import { useSessionStore } from './session';

export const useMentionPeopleStore = defineStore('mention-people', () => {
  const messages = useMessagesStore();
  const presence = usePresenceStore();
  const rooms = useRoomsStore();
  const session = useSessionStore();
  const perRoom = new Map<RoomId, ComputedRef<User[]>>();

  /** Later entries win: a timeline is oldest first, and presence and the session carry current names. */
  function collect(room: RoomId): User[] {
    const people = new Map<string, User>();
    for (const message of messages.timelineOf(room)) people.set(message.author.id, message.author);
    const peer = rooms.list.find((entry) => entry.id === room)?.peer;
    if (peer) people.set(peer.id, { ...people.get(peer.id), ...peer });
    for (const user of presence.online) people.set(user.id, user);
    const me = session.session?.user;
    if (me) people.set(me.id, me);
    return [...people.values()];
  }

  function peopleOf(room: RoomId): User[] {
    let people = perRoom.get(room);
    if (!people) {
      people = computed(() => collect(room));
      perRoom.set(room, people);
    }
    return people.value;
  }

  return { peopleOf };
});
