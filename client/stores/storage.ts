/** What the app stores on this device, in words for the profile sheet, and how much of each room it keeps. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { estimateStorage } from '../io/db';
import { storageUsedText } from '../logic/storage-bound';
import { ROOM_MESSAGE_LIMIT } from './messages';

export const useStorageStore = defineStore('storage', () => {
  /** "3.2 MB of 2.0 GB", or empty while unknown (the browser may not say). */
  const used = ref('');

  async function measure(): Promise<void> {
    const estimate = await estimateStorage().catch(() => undefined);
    used.value = estimate ? storageUsedText(estimate.usage, estimate.quota) : '';
  }

  return { used, roomLimit: ROOM_MESSAGE_LIMIT, measure };
});
