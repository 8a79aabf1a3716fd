/** What the compose box is doing besides writing a new message: answering one (reply) or rewriting one of ours (edit). */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { LocalMessage } from '../logic/models';

export const useComposeStore = defineStore('compose', () => {
  const replyingTo = ref<LocalMessage>();
  const editing = ref<LocalMessage>();

  function startReply(message: LocalMessage): void {
    editing.value = undefined;
    replyingTo.value = message;
  }

  function startEdit(message: LocalMessage): void {
    replyingTo.value = undefined;
    editing.value = message;
  }

  function cancel(): void {
    replyingTo.value = undefined;
    editing.value = undefined;
  }

  return { replyingTo, editing, startReply, startEdit, cancel };
});
