/** What each room's compose box holds but has not sent, kept in IndexedDB so a reload or a room switch never loses it. */
import { defineStore } from 'pinia';
import type { RoomId } from '../../shared/protocol';
import { loadDraft, saveDraft } from '../io/db';

export const useDraftsStore = defineStore('drafts', () => {
  /** The stored draft of `room`, or '' when there is none or the device cannot read it. */
  function restore(room: RoomId): Promise<string> {
    return loadDraft(room).catch(() => '');
  }

  /** Called on every change (IndexedDB applies the writes in order), so a reload at any moment keeps the text. */
  function keep(room: RoomId, text: string): void {
    void saveDraft(room, text).catch(() => undefined);
  }

  return { restore, keep };
});
