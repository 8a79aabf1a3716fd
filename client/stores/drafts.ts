/** What each room's compose box holds but has not sent, kept in IndexedDB so a reload or a room switch never loses it; only ever shown to its author. */
import { defineStore } from 'pinia';
import type { RoomId } from '../../shared/protocol';
import { loadDraft, saveDraft } from '../io/db';
import { useSessionStore } from './session';

export const useDraftsStore = defineStore('drafts', () => {
  const sessionStore = useSessionStore();

  /** The signed-in person's stored draft of `room`, or '' when there is none or the device cannot read it. */
  async function restore(room: RoomId): Promise<string> {
    const authorId = sessionStore.session?.user.id;
    return authorId ? loadDraft(authorId, room).catch(() => '') : '';
  }

  /** Called on every change (IndexedDB applies the writes in order), so a reload at any moment keeps the text. */
  function keep(room: RoomId, text: string): void {
    const authorId = sessionStore.session?.user.id;
    if (authorId) void saveDraft(authorId, room, text).catch(() => undefined);
  }

  return { restore, keep };
});
