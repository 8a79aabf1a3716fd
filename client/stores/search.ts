/**
 * Search: instant answers from what the device holds (MiniSearch, loaded on first use), and when
 * online, after a short pause in typing, the server's answers (`GET /api/search`) that the device did
 * not find itself, shown as "More results from the server". Matched words come back as parts to
 * render as <mark> elements: message text is never HTML.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef, watch } from 'vue';
import type { Message } from '../../shared/protocol';
import { searchServer } from '../io/api';
import type { DeviceSearch } from '../io/search-client';
import type { IndexHit } from '../io/search-index';
import type { LocalMessage } from '../logic/models';
import { excerptParts, onlyNew, placeKey, queryWords, snippetParts, type TextPart } from '../logic/search-logic';
import { useConnectionStore } from './connection';
import { useMessagesStore } from './messages';
import { useSessionStore } from './session';

export type SearchHit = { message: Pick<Message, 'room' | 'seq' | 'author' | 'ts'>; parts: TextPart[] };

/** Where the server's side of a search stands: not asked (no words), waiting, answered, unreachable, or refused. */
export type ServerState = 'idle' | 'searching' | 'done' | 'offline' | 'failed';

/** Device results shown at first, and added by each "More on this device": fewer to draw per keystroke. */
const LOCAL_PAGE = 20;

/** A pause in typing this long before the server is asked. */
const SERVER_DELAY_MS = 300;

export const useSearchStore = defineStore('search', () => {
  const messages = useMessagesStore();
  const connection = useConnectionStore();
  const session = useSessionStore();
  const query = ref('');
  const local = shallowRef<SearchHit[]>([]);
  const server = shallowRef<SearchHit[]>([]);
  const serverState = ref<ServerState>('idle');
  /** The device holds more matches than are shown. */
  const moreLocal = ref(false);
  let localLimit = LOCAL_PAGE;
  /** The cursor of the server's next page, when there is one. */
  const next = ref<string>();
  /** False until the index has been loaded and built once. */
  const indexed = ref(false);
  let index: Promise<DeviceSearch> | undefined;
  let runs = 0;
  let serverTimer: ReturnType<typeof setTimeout> | undefined;

  /** What the device holds matching `text`, from the device's index (built on first use, on the main thread in slices, kept up to date: io/search-client.ts says why not a worker). */
  async function searchDevice(text: string, limit: number): Promise<IndexHit[]> {
    index ??= import('../io/search-client').then(({ DeviceSearch }) => new DeviceSearch());
    try {
      const hits = await (await index).search(messages.allTimelines(), text, limit);
      indexed.value = true;
      return hits;
    } catch (error) {
      // Without its index the device finds nothing; the server's answers still come when online.
      console.error('device search failed', error);
      return [];
    }
  }

  function online(): boolean {
    return navigator.onLine && connection.phase === 'online' && session.session !== undefined;
  }

  /**
   * Searches for `text` now on the device, and soon on the server. The query, its results and its state
   * change together once the device has answered, so the sheet never says "nothing matches" for words
   * it is still looking for.
   */
  async function search(text: string): Promise<void> {
    const run = ++runs;
    clearTimeout(serverTimer);
    // One more than shown: whether there are more to offer.
    const hits = queryWords(text).length === 0 ? undefined : await searchDevice(text, LOCAL_PAGE + 1);
    if (run !== runs) return;
    query.value = text;
    server.value = [];
    next.value = undefined;
    localLimit = LOCAL_PAGE;
    showLocal(hits ?? []);
    if (!hits) {
      serverState.value = 'idle';
      return;
    }
    if (!online()) {
      serverState.value = 'offline';
      return;
    }
    serverState.value = 'searching';
    serverTimer = setTimeout(() => void askServer(run), SERVER_DELAY_MS);
  }

  function showLocal(hits: readonly IndexHit[]): void {
    moreLocal.value = hits.length > localLimit;
    local.value = hits.slice(0, localLimit).flatMap((hit) => {
      const message = messages.timelineOf(hit.room).find((held) => held.key === hit.key);
      return message && message.seq !== undefined ? [localHit(message, message.seq, hit.terms)] : [];
    });
  }

  /** The device's next matches for the same words; the server's that are now shown from the device leave its list. */
  async function moreFromDevice(): Promise<void> {
    const run = runs;
    const limit = localLimit + LOCAL_PAGE;
    const hits = await searchDevice(query.value, limit + 1);
    if (run !== runs) return;
    localLimit = limit;
    showLocal(hits);
    server.value = onlyNew(server.value, new Set(local.value.map((hit) => placeKey(hit.message))));
  }

  /** The sheet opened: the index starts learning what the device holds before the first word is typed. */
  function prepare(): void {
    void searchDevice('', 0);
  }

  /** The server's next page of results for the same words. */
  function more(): void {
    if (!next.value || serverState.value === 'searching') return;
    serverState.value = 'searching';
    void askServer(runs, next.value);
  }

  async function askServer(run: number, cursor?: string): Promise<void> {
    const token = session.session?.token;
    try {
      if (!token) throw new Error('signed out');
      const answer = await searchServer(token, query.value, cursor);
      if (run !== runs) return;
      const shown = new Set([...local.value, ...server.value].map((hit) => placeKey(hit.message)));
      const fresh = onlyNew(answer.results, shown).map(({ message, snippet }) => ({ message, parts: snippetParts(snippet) }));
      server.value = [...server.value, ...fresh];
      next.value = answer.next;
      serverState.value = 'done';
    } catch {
      if (run === runs) serverState.value = online() ? 'failed' : 'offline';
    }
  }

  /** The panel closed: nothing more is asked, and the next search starts afresh (the index stays loaded). */
  function stop(): void {
    runs++;
    clearTimeout(serverTimer);
  }

  // Another person (or nobody) on this device: nothing of the last one's search stays on screen or in memory.
  watch(
    () => session.session?.user.id,
    () => {
      stop();
      query.value = '';
      local.value = [];
      moreLocal.value = false;
      server.value = [];
      next.value = undefined;
      serverState.value = 'idle';
      void index?.then((ended) => ended.close());
      index = undefined;
      indexed.value = false;
    },
  );

  return { query, local, moreLocal, server, serverState, next, indexed, search, prepare, moreFromDevice, more, stop };
});

function localHit(message: LocalMessage, seq: number, terms: readonly string[]): SearchHit {
  return {
    message: { room: message.room, seq, author: message.author, ts: message.ts },
    parts: excerptParts(message.content, new Set(terms)),
  };
}
