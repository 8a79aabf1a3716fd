/**
 * The signed-in person across devices: their @handle, their passkeys, their signed-in devices, and the
 * one-time code that adds another device. Every call answers with what to tell the person ('' when
 * done); a 401 means our own session ended, which the account store handles like any other end.
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { DeviceLink, DeviceSession, PasskeyInfo } from '../../shared/protocol';
import { ApiError } from '../io/api';
import {
  claimHandle,
  createDeviceLink,
  endOtherSession,
  fetchPasskeys,
  fetchSessions,
  passkeyRegistrationOptions,
  removePasskey,
  verifyPasskeyRegistration,
} from '../io/identity-api';
import { qrCodeImage } from '../io/qr-code';
import { createPasskey, PasskeyPromptError, passkeysSupported } from '../io/webauthn';
import { checkHandleInput, handleConflictText } from '../logic/handle-rule';
import { promptFailureText } from '../logic/passkey-logic';
import { tooManyRequestsText } from '../logic/refusal-logic';
import { useAccountStore } from './account';
import { useSessionStore } from './session';

/** A 404 on removing something: another device removed it first, which is what was asked. */
function alreadyGone(error: unknown): void {
  if (!(error instanceof ApiError && error.status === 404)) throw error;
}

export const useIdentityStore = defineStore('identity', () => {
  const sessionStore = useSessionStore();
  const account = useAccountStore();
  const passkeys = ref<PasskeyInfo[]>();
  const sessions = ref<DeviceSession[]>();
  const link = ref<DeviceLink & { qr: string }>();

  // Lists belong to one account: another session on this device starts without them.
  watch(
    () => sessionStore.session?.token,
    () => {
      passkeys.value = undefined;
      sessions.value = undefined;
      link.value = undefined;
    },
  );

  /** The token to call with, or why there is none. */
  function token(): string | undefined {
    return sessionStore.session?.token;
  }

  /** Words for a failed call; a 401 ends our session (the Join screen then says so). */
  async function failure(error: unknown): Promise<string> {
    if (error instanceof ApiError) {
      if (error.status === 401) {
        await account.sessionEnded();
        return 'Your session has ended.';
      }
      if (error.status === 429) return tooManyRequestsText(error.retryAfterMs);
      return error.message;
    }
    return navigator.onLine ? 'Could not reach the server. Try again.' : 'You are offline. This needs a connection.';
  }

  async function setHandle(input: string): Promise<string> {
    const checked = checkHandleInput(input);
    if (!checked.ok) return checked.message;
    const current = sessionStore.session;
    if (!current) return 'Join first.';
    try {
      const user = await claimHandle(current.token, checked.handle);
      if (sessionStore.session?.token === current.token) await sessionStore.save({ token: current.token, user });
      return '';
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) return handleConflictText(checked.handle, error.message);
      return failure(error);
    }
  }

  let passkeysLoading: Promise<string> | undefined;

  /** One request at a time: on the sheet's first opening its loader and the section both ask. */
  function loadPasskeys(): Promise<string> {
    passkeysLoading ??= fetchOurPasskeys().finally(() => (passkeysLoading = undefined));
    return passkeysLoading;
  }

  async function fetchOurPasskeys(): Promise<string> {
    const current = token();
    if (!current) return '';
    try {
      passkeys.value = await fetchPasskeys(current);
      return '';
    } catch (error) {
      return failure(error);
    }
  }

  /** Makes a passkey on this device (the browser's prompt) and registers it with the account. */
  async function addPasskey(): Promise<string> {
    const current = token();
    if (!current) return '';
    if (!passkeysSupported()) return promptFailureText('unsupported', 'register');
    try {
      const answer = await createPasskey(await passkeyRegistrationOptions(current));
      await verifyPasskeyRegistration(current, answer);
      return await loadPasskeys();
    } catch (error) {
      if (error instanceof PasskeyPromptError) return promptFailureText(error.failure, 'register');
      return failure(error);
    }
  }

  async function forgetPasskey(id: string): Promise<string> {
    const current = token();
    if (!current) return '';
    try {
      await removePasskey(current, id).catch(alreadyGone);
      passkeys.value = passkeys.value?.filter((passkey) => passkey.id !== id);
      return '';
    } catch (error) {
      return failure(error);
    }
  }

  async function loadSessions(): Promise<string> {
    const current = token();
    if (!current) return '';
    try {
      sessions.value = await fetchSessions(current);
      return '';
    } catch (error) {
      return failure(error);
    }
  }

  /** Signs another device out: its token stops working and its open app returns to Join within seconds. */
  async function signOutDevice(id: string): Promise<string> {
    const current = token();
    if (!current) return '';
    try {
      await endOtherSession(current, id).catch(alreadyGone);
      sessions.value = sessions.value?.filter((session) => session.id !== id);
      return '';
    } catch (error) {
      return failure(error);
    }
  }

  /** A fresh one-time code and its QR code (the old one, if any, simply expires). */
  async function makeLink(): Promise<string> {
    const current = token();
    if (!current) return '';
    try {
      const made = await createDeviceLink(current);
      link.value = { ...made, qr: await qrCodeImage(made.url) };
      return '';
    } catch (error) {
      return failure(error);
    }
  }

  function forgetLink(): void {
    link.value = undefined;
  }

  return {
    passkeys,
    sessions,
    link,
    setHandle,
    loadPasskeys,
    addPasskey,
    forgetPasskey,
    loadSessions,
    signOutDevice,
    makeLink,
    forgetLink,
  };
});
