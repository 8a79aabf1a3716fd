import { describe, expect, it } from 'vitest';
import { MAX_NAME_CHARS, charCount } from '../../../shared/limits';
import { nameSchema, parsePayload } from '../../../shared/schema';
import { NAME_INPUT_MAXLENGTH, NAME_RULE_TEXT, checkNameInput } from '../../../client/logic/name-rule';

describe('the name rule', () => {
  it('states the shared limit', () => {
    expect(NAME_RULE_TEXT).toBe(`Enter a name of 1 to ${MAX_NAME_CHARS} characters.`);
  });

  it('lets the input hold the longest valid name even when every character is an emoji', () => {
    const longest = '🦊'.repeat(MAX_NAME_CHARS);
    expect(charCount(longest)).toBe(MAX_NAME_CHARS);
    expect(longest.length).toBeLessThanOrEqual(NAME_INPUT_MAXLENGTH);
  });
});

describe('checking a name as typed', () => {
  it('stores it trimmed and NFC-normalised, right-to-left names included', () => {
    expect(checkNameInput('  Jose\u0301 ')).toEqual({ ok: true, name: 'Jos\u00E9' });
    expect(checkNameInput('مريم')).toEqual({ ok: true, name: 'مريم' });
    expect(checkNameInput('נועה (Noa) 2')).toEqual({ ok: true, name: 'נועה (Noa) 2' });
  });

  it('refuses a right-to-left override with the shared rule’s reason, in words', () => {
    expect(checkNameInput('Eve\u202Egnp.exe')).toEqual({ ok: false, message: 'Name must not contain control or formatting characters.' });
    expect(checkNameInput('\u2068Ana')).toMatchObject({ ok: false, message: 'Name must not contain control or formatting characters.' });
  });

  it('refuses a name with nothing visible, and an empty or too long one with the rule', () => {
    expect(checkNameInput('\u3164')).toEqual({ ok: false, message: 'Name must contain something visible.' });
    expect(checkNameInput('   ')).toEqual({ ok: false, message: NAME_RULE_TEXT });
    expect(checkNameInput('x'.repeat(MAX_NAME_CHARS + 1))).toEqual({ ok: false, message: NAME_RULE_TEXT });
    expect(checkNameInput('🦊'.repeat(MAX_NAME_CHARS))).toMatchObject({ ok: true });
  });

  it('gives the same verdict as the server’s schema', () => {
    for (const name of ['Ann', ' Ann ', 'A\u200Bna', 'Ana\u0000', '\u0301\u0302', 'x'.repeat(33), 'محمد', '👨‍👩‍👧 family', '']) {
      const server = parsePayload(nameSchema, name);
      const client = checkNameInput(name);
      expect(client.ok, JSON.stringify(name)).toBe(server.ok);
      if (client.ok && server.ok) expect(client.name).toBe(server.value);
    }
  });
});
