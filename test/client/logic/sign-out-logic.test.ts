import { describe, expect, it } from 'vitest';
import { isAppShellCache, queuedRoomLabel, sessionEndText, signedOutLeadText, unsentLossText } from '../../../client/logic/sign-out-logic';

describe('signing out', () => {
  it('asks with the number of unsent messages it would delete', () => {
    expect(unsentLossText(1)).toBe('1 message has not been sent. Signing out deletes it from this device and it will never be sent.');
    expect(unsentLossText(3)).toBe('3 messages have not been sent. Signing out deletes them from this device and they will never be sent.');
  });

  it('tells how the session ended, and that the server is told later after an offline sign-out', () => {
    expect(sessionEndText('signed-out')).toBe('You signed out. Nothing of yours is left on this device.');
    expect(sessionEndText('signed-out-offline')).toContain('the server has not been told yet');
    expect(sessionEndText('signed-out-in-other-tab')).toBe('You signed out in another tab.');
  });

  it('says drafts were deleted when a session ended, only if there were any', () => {
    expect(sessionEndText('ended')).toBe(
      'Your session has ended: it expired, or this device was signed out elsewhere. Join again to keep chatting.',
    );
    expect(sessionEndText('ended', 1)).toMatch(/Your unsent draft was deleted\.$/);
    expect(sessionEndText('ended', 2)).toMatch(/Your 2 unsent drafts were deleted\.$/);
  });

  it('explains messages a session left unsent, in the singular or the plural', () => {
    expect(signedOutLeadText(1)).toBe(
      'It was written before this device was signed out, so it will never be sent. Copy what you still need, then delete it.',
    );
    expect(signedOutLeadText(2)).toMatch(/^They were written .* then delete them\.$/);
  });

  it('names where an inert message was queued without a DM peer it no longer knows', () => {
    expect(queuedRoomLabel('general')).toBe('# general');
    expect(queuedRoomLabel('book-club')).toBe('# book-club');
    expect(queuedRoomLabel('dm:ann:bob')).toBe('a private conversation');
  });

  it('keeps only the app shell precache: every other cache may hold private data', () => {
    expect(isAppShellCache('workbox-precache-v2-https://chat.example/')).toBe(true);
    expect(isAppShellCache('api-responses')).toBe(false);
    expect(isAppShellCache('workbox-runtime-https://chat.example/')).toBe(false);
  });
});
