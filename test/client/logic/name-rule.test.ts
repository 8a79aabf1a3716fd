import { describe, expect, it } from 'vitest';
import { MAX_NAME_CHARS, charCount } from '../../../shared/limits';
import { NAME_INPUT_MAXLENGTH, NAME_RULE_TEXT } from '../../../client/logic/name-rule';

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
