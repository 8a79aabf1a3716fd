import { describe, expect, it } from 'vitest';
import { handlesToShow } from '../../../client/logic/same-names';

describe('handles beside names two people share', () => {
  it('shows the handle of each person whose name someone else in view also has', () => {
    const shown = handlesToShow([
      { id: 'u1', name: 'Ann', handle: 'ann_k' },
      { id: 'u2', name: 'Ann', handle: 'ann_b' },
      { id: 'u3', name: 'Bob', handle: 'bob' },
    ]);
    expect([...shown]).toEqual([
      ['u1', '@ann_k'],
      ['u2', '@ann_b'],
    ]);
  });

  it('compares names as people read them: case, spaces and composed accents aside', () => {
    const shown = handlesToShow([
      { id: 'u1', name: 'José', handle: 'jose1' },
      { id: 'u2', name: ' jose\u0301', handle: 'jose2' },
    ]);
    expect(shown.get('u1')).toBe('@jose1');
    expect(shown.get('u2')).toBe('@jose2');
  });

  it('shows nothing for one person seen many times (their messages), nor for someone without a handle', () => {
    const ann = { id: 'u1', name: 'Ann', handle: 'ann' };
    expect(handlesToShow([ann, ann, ann]).size).toBe(0);
    const shown = handlesToShow([ann, { id: 'u2', name: 'Ann' }]);
    expect([...shown]).toEqual([['u1', '@ann']]);
  });

  it('reads each person by their latest name', () => {
    const shown = handlesToShow([
      { id: 'u1', name: 'Ann', handle: 'ann' },
      { id: 'u2', name: 'Ann', handle: 'ann2' },
      { id: 'u2', name: 'Annie', handle: 'ann2' },
    ]);
    expect(shown.size).toBe(0);
  });
});
