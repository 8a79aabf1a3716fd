/**
 * Signing in as someone who already has an account, on a device where nobody is signed in: with a
 * passkey (a prompt, or the name input's autofill) or with a one-time code from a signed-in device
 * (typed, or opened as the QR code's link). The new session is adopted by the account store exactly
 * like a joined one.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { ApiError } from '../io/api';
import { passkeyLoginOptions, redeemDeviceLink, verifyPasskeyLogin } from '../io/identity-api';
import { cancelPasskeyPrompt, PasskeyPromptError, passkeyAutofillSupported, passkeysSupported, usePasskey } from '../io/webauthn';
import { LINK_CODE_RULE_TEXT, REDEEM_REFUSED_TEXT, linkCodeFromUrl, normalizeLinkCode } from '../logic/device-link-logic';
import { passkeySignInRefusedText, promptFailureText } from '../logic/passkey-logic';
import { refusalOf, useAccountStore } from './account';
import { useSessionStore } from './session';

export const useSignInStore = defineStore('sign-in', () => {
  const sessionStore = useSessionStore();
  const account = useAccountStore();
  const busy = ref(false);
  /** Why the last passkey or code sign-in failed, in words that say what to do, for the Join screen. */
  const error = ref('');
  /** Whether "Sign in with a passkey" can work in this browser at all. */
  const canUsePasskeys = passkeysSupported();

  const signedIn = () => Boolean(sessionStore.session) || account.ending;

  /** What a failed sign-in says: our words for a refusal, the rate limit's wait, or the network. */
  function failure(caught: unknown, refusedText: (message: string) => string): string {
    if (caught instanceof PasskeyPromptError) return promptFailureText(caught.failure, 'sign-in');
    if (caught instanceof ApiError) return caught.status === 401 ? refusedText(caught.message) : refusalOf(caught);
    return navigator.onLine ? 'Could not reach the server. Try again.' : 'You are offline. Signing in needs a connection.';
  }

  /**
   * Signs in with one of this site's passkeys: a prompt, or (autofill) once the person picks a passkey
   * among the name input's suggestions. A waiting autofill that another prompt replaced ends quietly.
   */
  async function withPasskey(autofill = false): Promise<void> {
    if (signedIn()) return;
    if (!autofill) {
      busy.value = true;
      error.value = '';
    }
    try {
      const answer = await usePasskey(await passkeyLoginOptions(), autofill);
      busy.value = true;
      await account.adopt(await verifyPasskeyLogin(answer));
      error.value = '';
    } catch (caught) {
      if (autofill && caught instanceof PasskeyPromptError) return;
      error.value = failure(caught, passkeySignInRefusedText);
    } finally {
      busy.value = false;
    }
  }

  /** The Join screen is shown: offer this site's passkeys among the name input's suggestions, where the browser can. */
  async function offerPasskeyAutofill(): Promise<void> {
    if (await passkeyAutofillSupported().catch(() => false)) await withPasskey(true);
  }

  /** The Join screen is gone: a waiting autofill request must not sign anyone in behind it. */
  function stopPasskeyAutofill(): void {
    void cancelPasskeyPrompt().catch(() => undefined);
  }

  /** Turns a code from a signed-in device ("Add a device") into this device's own session. */
  async function withCode(input: string): Promise<void> {
    const code = normalizeLinkCode(input);
    if (!code) {
      error.value = LINK_CODE_RULE_TEXT;
      return;
    }
    if (signedIn()) return;
    busy.value = true;
    error.value = '';
    try {
      await account.adopt(await redeemDeviceLink(code));
    } catch (caught) {
      error.value = failure(caught, () => REDEEM_REFUSED_TEXT);
    } finally {
      busy.value = false;
    }
  }

  /** Called once at start: the app was opened from a device link (`#link=CODE`): redeem it, unless someone is signed in here. */
  function redeemOpenedLink(): void {
    const linked = linkCodeFromUrl(location);
    if (linked === undefined && !/[#?&]link=/.test(location.href)) return;
    // The code is single use: never leave it in the address bar, the history or a bookmark.
    history.replaceState(history.state, '', location.pathname);
    if (sessionStore.session) return;
    if (linked) void withCode(linked);
    else error.value = REDEEM_REFUSED_TEXT;
  }

  return { busy, error, canUsePasskeys, withPasskey, offerPasskeyAutofill, stopPasskeyAutofill, withCode, redeemOpenedLink };
});
