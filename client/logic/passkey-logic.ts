/** What went wrong with a passkey, in words that say what to do next. */

/** Why the browser's passkey prompt gave no answer (io/webauthn.ts sorts the browser's errors into these). */
export type PromptFailure = 'cancelled' | 'already-registered' | 'unsupported' | 'failed';

export function promptFailureText(failure: PromptFailure, action: 'register' | 'sign-in'): string {
  switch (failure) {
    case 'cancelled':
      return action === 'register'
        ? 'No passkey was saved: the prompt was closed or timed out. Try again.'
        : 'Sign-in was cancelled. Try again.';
    case 'already-registered':
      return 'This device already holds a passkey for your account.';
    case 'unsupported':
      return 'This browser cannot use passkeys here. Use “I have a code” with your other device instead.';
    case 'failed':
      return 'The passkey did not answer. Try again, or use another passkey.';
  }
}

/** A 401 from `POST /api/passkeys/login/verify`, from the server's reason. */
export function passkeySignInRefusedText(serverMessage: string): string {
  if (/not registered/i.test(serverMessage))
    return 'This passkey isn’t registered here — it may have been removed. Sign in with a code from your other device instead.';
  if (/expired|already used/i.test(serverMessage)) return 'That took too long. Try again.';
  return 'This passkey could not be checked. Try again, or use a code from your other device.';
}

/** "3 Dec 2026", in the person's locale. */
export function shortDate(ms: number, locale?: string): string {
  return new Date(ms).toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** "3 Dec 2026, 14:05", in the person's locale: tells two devices of the same kind apart. */
export function dateAndTime(ms: number, locale?: string): string {
  return new Date(ms).toLocaleString(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}
