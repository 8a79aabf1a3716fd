/**
 * This device's account: joining, renaming, signing out, and the end of a session the server no longer
 * knows (expired or revoked). A session always ends the same way: stop the socket and every store's work,
 * forget it in memory, wait for the writes under way, then wipe the device, so nothing of it is written
 * after the wipe and nothing of it is ever sent as whoever joins next. Every open tab follows.
 *
 * A sign-out wipes everything (after the profile dialog has asked, when unsent messages would go). The
 * end of a session keeps one thing: the outbox, whose entries stay inert, "not sent — signed out", until
 * the person deletes them, because they pressed Send and must learn those messages did not go out. Its
 * drafts are deleted (and the person told): a draft was never sent, its author can never sign in again
 * (an identity is its token), and the only use left for it would be sending it as someone else.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { SessionCreated } from '../../shared/protocol';
import { ApiError, createSession, endSession, renameMe } from '../io/api';
import { forgetRevocation, loadOutbox, loadRevocations, wipeDevice, type Wipe } from '../io/db';
import { deletePrivateCaches } from '../io/private-caches';
import { onOtherTabNews, tellOtherTabs, type TabNews } from '../io/tab-channel';
import { checkNameInput } from '../logic/name-rule';
import { ACK_TIMEOUT_MS } from '../logic/outbox-logic';
import { tooManyRequestsText } from '../logic/refusal-logic';
import { sessionEndText, type SessionEnd } from '../logic/sign-out-logic';
import type * as ChatLifecycle from './chat-lifecycle';
import type { useOutboxStore } from './outbox';
import { useSessionStore } from './session';

/** A refused HTTP call in words. */
export function refusalOf(error: ApiError): string {
  return error.status === 429 ? tooManyRequestsText(error.retryAfterMs) : error.message;
}

/** The network's error, or none for this long: a sign-out does not wait for a server that does not answer. */
function withinAckTime<T>(work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), ACK_TIMEOUT_MS))]);
}

export const useAccountStore = defineStore('account', () => {
  const sessionStore = useSessionStore();
  /** The chat's stores, once the chat has loaded (attachChat): before that there is no socket or outbox to stop. */
  let chat: typeof ChatLifecycle | undefined;
  /** The outbox, once the Join screen had entries an ended session left to show: only then does its store load. */
  const signedOutOutbox = shallowRef<ReturnType<typeof useOutboxStore>>();
  /** Messages a session that ended here had queued: "not sent — signed out", for the Join screen. */
  const signedOutCount = computed(() => signedOutOutbox.value?.signedOut.length ?? 0);
  const joining = ref(false);
  const joinError = ref('');
  /** How the last session on this device ended, for the Join screen. */
  const ended = ref<{ end: SessionEnd; text: string }>();
  /** A session is ending here or in another tab: nobody joins until the device is wiped. */
  const ending = ref(false);

  /** Called once by the app: follow the other tabs, and tell the server about offline sign-outs. */
  function start(): void {
    onOtherTabNews((news) => void followOtherTab(news));
    window.addEventListener('online', () => void sendRevocations());
    void sendRevocations();
  }

  /** ChatShell.vue hands over the chat's stores as it loads, before it starts any of them. */
  function attachChat(lifecycle: typeof ChatLifecycle): void {
    chat = lifecycle;
  }

  /** The Join screen shows what an ended session left unsent; not while a session ends (forgetHere shows them once wiped). */
  async function showSignedOut(): Promise<void> {
    if (!ending.value) await refreshSignedOut();
  }

  async function refreshSignedOut(): Promise<void> {
    // A first visit has no outbox: its store, and the chat code it brings, stay unloaded.
    if (!signedOutOutbox.value && !chat && (await loadOutbox().catch(() => [])).length === 0) return;
    const { useOutboxStore } = await import('./outbox');
    const outbox = useOutboxStore();
    await outbox.load();
    signedOutOutbox.value = outbox;
  }

  /** A session made elsewhere (a passkey, a link code; see stores/sign-in.ts): stored, shown, and the other tabs load it. */
  async function adopt(created: SessionCreated): Promise<void> {
    if (sessionStore.session || ending.value) return;
    await sessionStore.save(created);
    ended.value = undefined;
    joinError.value = '';
    tellOtherTabs('signed-in');
  }

  async function join(input: string): Promise<void> {
    const checked = checkNameInput(input);
    if (!checked.ok) {
      joinError.value = checked.message;
      return;
    }
    if (ending.value) return;
    joining.value = true;
    joinError.value = '';
    try {
      await sessionStore.save(await createSession(checked.name));
      ended.value = undefined;
      tellOtherTabs('signed-in');
    } catch (error) {
      joinError.value =
        error instanceof ApiError
          ? refusalOf(error)
          : navigator.onLine
            ? 'Could not reach the server. Try again.'
            : 'You are offline. Joining needs a connection.';
    } finally {
      joining.value = false;
    }
  }

  /** Changes our display name on the server, then on this device; returns why not, or '' when done. */
  async function rename(input: string): Promise<string> {
    const current = sessionStore.session;
    const checked = checkNameInput(input);
    if (!checked.ok) return checked.message;
    if (!current) return 'Join first.';
    if (!navigator.onLine) return 'You are offline. Changing your name needs a connection.';
    try {
      const user = await renameMe(current.token, checked.name);
      // The session may have ended while the server answered: never store it again.
      if (sessionStore.session?.token !== current.token) return '';
      await sessionStore.save({ token: current.token, user });
      return '';
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        await sessionEnded();
        return '';
      }
      return error instanceof ApiError ? refusalOf(error) : 'Could not reach the server. Try again.';
    }
  }

  /**
   * Signs this device out: the server forgets the token (now, or when the app is next online here), and the
   * device forgets everything of the account: messages, cursors, outbox, drafts, rooms, the room on screen,
   * the session, and any cache of private data. The other tabs follow.
   */
  async function signOut(): Promise<void> {
    const current = sessionStore.session;
    if (!current || ending.value) return;
    ending.value = true;
    try {
      tellOtherTabs('ending');
      // Our socket first: once the server revokes the token it would see 'unauthorized' and end the session by itself.
      halt();
      const told = await tellServer(current.token);
      await forgetHere({ keepOutbox: false, revoke: told ? undefined : current.token });
      await deletePrivateCaches().catch(() => 0);
      finish(told ? 'signed-out' : 'signed-out-offline');
      tellOtherTabs('signed-out');
    } finally {
      ending.value = false;
    }
  }

  /** The server no longer knows our token (expired, or revoked elsewhere): end the session here and in every tab. */
  async function sessionEnded(): Promise<void> {
    if (!sessionStore.session || ending.value) return;
    ending.value = true;
    try {
      tellOtherTabs('ending');
      halt();
      const wiped = await forgetHere({ keepOutbox: true });
      finish('ended', wiped?.drafts);
      tellOtherTabs('session-ended');
    } finally {
      ending.value = false;
    }
  }

  /** Another tab changed who is signed in on this device. */
  async function followOtherTab(news: TabNews): Promise<void> {
    if (news === 'ending') {
      // Stop writing at once: that tab wipes the device next.
      if (sessionStore.session) halt();
    } else if (news === 'signed-out' || news === 'session-ended') {
      if (!sessionStore.session) return showSignedOut();
      ending.value = true;
      try {
        halt();
        // Wiping again catches anything this tab wrote before it stopped, unless someone has joined since.
        const wiped = await forgetHere({ keepOutbox: news === 'session-ended', unlessSignedIn: true });
        finish(news === 'signed-out' ? 'signed-out-in-other-tab' : 'ended', wiped?.drafts);
      } finally {
        ending.value = false;
      }
    } else if (news === 'signed-in' && !sessionStore.session && !ending.value) {
      // App.vue loads the new session's device state and connects.
      await sessionStore.load();
      ended.value = undefined;
    }
  }

  /** Nothing more goes out, and no server event comes in. */
  function halt(): void {
    chat?.haltChat();
  }

  /** Forgets the session in memory (the screen shows Join), waits for writes under way, then wipes the device. */
  async function forgetHere(wipe: Wipe): Promise<{ drafts: number } | undefined> {
    sessionStore.forget();
    await chat?.forgetChat();
    const wiped = await wipeDevice(wipe);
    await refreshSignedOut();
    return wiped;
  }

  function finish(end: SessionEnd, draftsDeleted = 0): void {
    ended.value = { end, text: sessionEndText(end, draftsDeleted) };
    joinError.value = '';
  }

  /** True once the server has forgotten the token; false when it could not be told (offline, no answer, refused). */
  async function tellServer(token: string): Promise<boolean> {
    if (!navigator.onLine) return false;
    try {
      await withinAckTime(endSession(token));
      return true;
    } catch {
      return false;
    }
  }

  /** Sign-outs made offline: the server forgets those tokens as soon as it can be told. */
  async function sendRevocations(): Promise<void> {
    if (!navigator.onLine) return;
    for (const token of await loadRevocations().catch(() => [])) {
      if (await tellServer(token)) await forgetRevocation(token).catch(() => undefined);
    }
  }

  return {
    joining,
    joinError,
    ended,
    ending,
    signedOutCount,
    start,
    attachChat,
    showSignedOut,
    join,
    rename,
    adopt,
    signOut,
    sessionEnded,
  };
});
