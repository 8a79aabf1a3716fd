import { describe, expect, it } from 'vitest';
import { passkeySignInRefusedText, promptFailureText } from '../../../client/logic/passkey-logic';

describe('passkey failures in words', () => {
  it('names a passkey the server no longer knows, and what to do instead', () => {
    expect(passkeySignInRefusedText('this passkey is not registered here (it may have been removed)')).toBe(
      'This passkey isn’t registered here — it may have been removed. Sign in with a code from your other device instead.',
    );
  });

  it('asks to try again after an expired challenge', () => {
    expect(passkeySignInRefusedText('this sign-in request expired or was already used; start again')).toBe(
      'That took too long. Try again.',
    );
  });

  it('tells a closed prompt from a browser that cannot do passkeys', () => {
    expect(promptFailureText('cancelled', 'register')).toContain('No passkey was saved');
    expect(promptFailureText('cancelled', 'sign-in')).toBe('Sign-in was cancelled. Try again.');
    expect(promptFailureText('unsupported', 'sign-in')).toContain('I have a code');
    expect(promptFailureText('already-registered', 'register')).toBe('This device already holds a passkey for your account.');
  });
});
