/**
 * The browser's passkey prompts (WebAuthn, through @simplewebauthn/browser). The library is loaded on
 * first use: most visits never see a passkey. Every browser error becomes a PasskeyPromptError with a
 * reason the UI can put in words (logic/passkey-logic.ts).
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import type { PromptFailure } from '../logic/passkey-logic';

const library = () => import('@simplewebauthn/browser');

export class PasskeyPromptError extends Error {
  constructor(readonly failure: PromptFailure) {
    super(failure);
  }
}

/** Whether this browser has WebAuthn at all (decides whether "Sign in with a passkey" is offered). */
export function passkeysSupported(): boolean {
  return typeof window.PublicKeyCredential === 'function';
}

/** Whether the browser offers passkeys in an input's autofill (conditional mediation). */
export async function passkeyAutofillSupported(): Promise<boolean> {
  if (!passkeysSupported()) return false;
  return (await library()).browserSupportsWebAuthnAutofill();
}

function failureOf(error: unknown): PromptFailure {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const name = error instanceof Error ? error.name : '';
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return 'already-registered';
  if (code === 'ERROR_CEREMONY_ABORTED' || name === 'NotAllowedError' || name === 'AbortError') return 'cancelled';
  if (name === 'NotSupportedError' || name === 'SecurityError' || code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID')
    return 'unsupported';
  return 'failed';
}

/** Asks the authenticator to make a passkey; resolves with its answer for the server to verify. */
export async function createPasskey(optionsJSON: PublicKeyCredentialCreationOptionsJSON): Promise<RegistrationResponseJSON> {
  const { startRegistration } = await library();
  try {
    return await startRegistration({ optionsJSON });
  } catch (error) {
    throw new PasskeyPromptError(failureOf(error));
  }
}

/**
 * Asks for one of this site's passkeys: a prompt, or (autofill) the suggestions of the input marked
 * `autocomplete="username webauthn"`, which waits until the person picks one. A new prompt cancels
 * a waiting autofill (its promise rejects as 'cancelled').
 */
export async function usePasskey(
  optionsJSON: PublicKeyCredentialRequestOptionsJSON,
  autofill: boolean,
): Promise<AuthenticationResponseJSON> {
  const { startAuthentication } = await library();
  try {
    return await startAuthentication({ optionsJSON, useBrowserAutofill: autofill });
  } catch (error) {
    throw new PasskeyPromptError(failureOf(error));
  }
}

/** Stops a waiting autofill request (the page no longer shows its input). */
export async function cancelPasskeyPrompt(): Promise<void> {
  (await library()).WebAuthnAbortService.cancelCeremony();
}
