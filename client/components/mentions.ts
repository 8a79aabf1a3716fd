/**
 * The mention components (#16) as one lazy chunk: the highlighting (a message holding an "@") and
 * the composer's autocomplete (an "@" typed) share their logic and the room's people, and the
 * shell names one chunk for both.
 */
export { default as MentionSuggest } from './MentionSuggest.vue';
export { default as MentionText } from './MentionText.vue';
