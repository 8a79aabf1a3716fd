import { describe, expect, it } from 'vitest';
import { handleSchema, parsePayload } from '../../../shared/schema';
import { HANDLE_RULE_TEXT, checkHandleInput, handleConflictText } from '../../../client/logic/handle-rule';

describe('checking a handle as typed', () => {
  it('stores it as the server will: trimmed, without a leading @, lower-case', () => {
    expect(checkHandleInput('  @Ann_2 ')).toEqual({ ok: true, handle: 'ann_2' });
    expect(checkHandleInput('abc')).toEqual({ ok: true, handle: 'abc' });
    expect(checkHandleInput('x'.repeat(24))).toEqual({ ok: true, handle: 'x'.repeat(24) });
  });

  it('says why a handle cannot be one, and what would do', () => {
    expect(checkHandleInput('')).toEqual({ ok: false, message: `Enter a handle. ${HANDLE_RULE_TEXT}` });
    expect(checkHandleInput('ab')).toEqual({ ok: false, message: `Too short. ${HANDLE_RULE_TEXT}` });
    expect(checkHandleInput('x'.repeat(25))).toEqual({ ok: false, message: `Too long. ${HANDLE_RULE_TEXT}` });
    expect(checkHandleInput('ann smith')).toEqual({ ok: false, message: 'Only letters a–z, digits and _ — no spaces or other signs.' });
    expect(checkHandleInput('ánn')).toMatchObject({ ok: false });
    expect(checkHandleInput('ann-b')).toMatchObject({ ok: false });
  });

  it('gives the same verdict as the server’s schema', () => {
    for (const handle of ['ann', '@Ann', ' ANN_1 ', 'ab', 'a b c', 'x'.repeat(24), 'x'.repeat(25), '@@ann', 'émile', 'a.b', '']) {
      const server = parsePayload(handleSchema, handle);
      const client = checkHandleInput(handle);
      expect(client.ok, handle).toBe(server.ok);
      if (client.ok && server.ok) expect(client.handle).toBe(server.value);
    }
  });
});

describe('a handle someone else has', () => {
  it('tells a reserved word from a taken handle, and says to pick another', () => {
    expect(handleConflictText('admin', '@admin is reserved')).toBe('@admin is reserved. Pick another handle.');
    expect(handleConflictText('ann', '@ann is taken; try another')).toBe('@ann is already taken. Pick another handle.');
  });
});
