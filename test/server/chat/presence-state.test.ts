import { describe, expect, it } from 'vitest';
import { emitInterval } from '../../../server/realtime/presence';
import { PresenceState } from '../../../server/chat/presence-state';

const ana = { id: 'a', name: 'Ana' };
const bob = { id: 'b', name: 'Bob' };
const cy = { id: 'c', name: 'Cy' };

describe('presence state', () => {
  it('counts sockets per user and only lets a user go when the last one left', () => {
    const state = new PresenceState();
    expect(state.addSocket(ana)).toBe(true);
    expect(state.addSocket(ana)).toBe(false);
    expect(state.removeSocket('a')).toBe(false);
    expect(state.removeSocket('a')).toBe(true);
    state.addSocket(ana); // came back within the grace period
    expect(state.dropIfIdle('a')).toBe(false);
    expect(state.online()).toEqual([ana]);
  });

  it("merges other processes' snapshots and deltas, and forgets silent ones", () => {
    const state = new PresenceState();
    state.addSocket(cy);
    state.applySnapshot({ node: 'n1', users: [ana], at: 0 }, 1000);
    state.applyDelta({ node: 'n2', joined: [bob], left: [] }, 2000);
    expect(state.online().map((user) => user.name)).toEqual(['Ana', 'Bob', 'Cy']);
    state.applyDelta({ node: 'n1', joined: [], left: ['a'] }, 3000);
    expect(state.isOnline('a')).toBe(false);
    expect(state.pruneRemote(1500)).toBe(false);
    expect(state.pruneRemote(2500)).toBe(true); // n2 went quiet: Bob with it
    expect(state.online()).toEqual([cy]);
  });

  it('diffs against what clients were told, counting renames as joins', () => {
    const state = new PresenceState();
    state.addSocket(ana);
    state.addSocket(bob);
    const told = new Map([
      [ana.id, ana],
      [cy.id, cy],
    ]);
    state.rename({ id: 'a', name: 'Ana Lima' });
    expect(state.diff(told)).toEqual({
      online: [{ id: 'a', name: 'Ana Lima' }, bob],
      joined: [{ id: 'a', name: 'Ana Lima' }, bob],
      left: [cy],
    });
  });

  it('paces client emits slower as more people are online', () => {
    expect(emitInterval(3)).toBe(250);
    expect(emitInterval(1000)).toBe(2000);
    expect(emitInterval(100_000)).toBe(5000);
  });
});
