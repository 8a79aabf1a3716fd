/** Which browser origins may use the API and sockets. */
import { describe, expect, it } from 'vitest';
import { isAllowedOrigin } from '../../../server/chat/origins';

describe('isAllowedOrigin', () => {
  it('lets clients that send no Origin through: bots, tests and native apps', () => {
    expect(isAllowedOrigin(undefined, 'chat.example', [])).toBe(true);
    expect(isAllowedOrigin('', 'chat.example', [])).toBe(true);
  });

  it("allows the server's own origin, whatever its scheme", () => {
    expect(isAllowedOrigin('https://chat.example', 'chat.example', [])).toBe(true);
    expect(isAllowedOrigin('http://localhost:3000', 'localhost:3000', [])).toBe(true);
  });

  it('allows origins listed in CHAT_ORIGINS and refuses every other', () => {
    const listed = ['http://localhost:5173'];
    expect(isAllowedOrigin('http://localhost:5173', 'localhost:3000', listed)).toBe(true);
    expect(isAllowedOrigin('http://localhost:5174', 'localhost:3000', listed)).toBe(false);
    expect(isAllowedOrigin('https://evil.example', 'chat.example', listed)).toBe(false);
    expect(isAllowedOrigin('https://chat.example.evil.example', 'chat.example', [])).toBe(false);
  });

  it('refuses a malformed Origin header, and one when the Host is missing', () => {
    expect(isAllowedOrigin('not an origin', 'chat.example', [])).toBe(false);
    expect(isAllowedOrigin('null', 'chat.example', [])).toBe(false);
    expect(isAllowedOrigin('https://chat.example', undefined, [])).toBe(false);
  });
});
