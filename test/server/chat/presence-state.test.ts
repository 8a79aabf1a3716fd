import { describe, expect, it } from 'vitest';
import { countInterval, emitInterval } from '../../../server/realtime/presence';
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

  it('lists by name with case folded, then exactly, then by id: the same order on every process', () => {
    const people = [
      { id: 'z2', name: 'zoë' },
      { id: 'b', name: 'bob' },
      { id: 'z1', name: 'zoë' },
      { id: 'B', name: 'Bob' },
      { id: 'a', name: 'Ana' },
    ];
    const here = new PresenceState();
    for (const person of people) here.addSocket(person);
    const there = new PresenceState();
    for (const person of [...people].reverse()) there.addSocket(person);
    const expected = ['a', 'B', 'b', 'z1', 'z2'];
    expect(here.online().map((user) => user.id)).toEqual(expected);
    expect(there.online().map((user) => user.id)).toEqual(expected);
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

  it('counts the union of every process, each person once, as they come, go and processes fall silent', () => {
    const state = new PresenceState();
    state.addSocket(ana);
    state.addSocket(ana); // a second tab
    state.applySnapshot({ node: 'n1', users: [ana, bob], at: 0 }, 1000);
    state.applyDelta({ node: 'n2', joined: [cy, bob], left: [] }, 2000);
    expect(state.onlineCount()).toBe(3);
    state.applySnapshot({ node: 'n1', users: [ana], at: 0 }, 2000); // Bob left n1, still on n2
    expect(state.onlineCount()).toBe(3);
    state.applyDelta({ node: 'n2', joined: [], left: ['b', 'b', 'nobody'] }, 2500);
    expect(state.onlineCount()).toBe(2);
    state.removeSocket('a');
    state.removeSocket('a');
    state.dropIfIdle('a'); // still on n1
    expect(state.onlineCount()).toBe(2);
    state.pruneRemote(3000); // n1 and n2 went quiet
    expect(state.onlineCount()).toBe(0);
    expect(state.onlineCount()).toBe(state.online().length);
  });

  it('names one process as the place a user came online first, whichever heard of the other first', () => {
    // Bob's two tabs landed on n1 (at 100) and n2 (at 105) before either process heard of the other.
    const first = new PresenceState();
    const second = new PresenceState();
    first.addSocket(bob, 100);
    second.addSocket(bob, 105);
    first.applyDelta({ node: 'n2', joined: [bob], since: [105], left: [] }, 110);
    second.applyDelta({ node: 'n1', joined: [bob], since: [100], left: [] }, 110);
    expect(first.firstPlace('b', 'n1')).toBe(true);
    expect(second.firstPlace('b', 'n2')).toBe(false);
    // A rename re-announces Bob without his since: n1 stays first.
    second.applyDelta({ node: 'n1', joined: [{ ...bob, name: 'Bobby' }], left: [] }, 120);
    expect(second.firstPlace('b', 'n2')).toBe(false);
    // The same millisecond goes to the smaller node id, in both processes; snapshots carry since too.
    const left = new PresenceState();
    const right = new PresenceState();
    left.addSocket(cy, 200);
    right.addSocket(cy, 200);
    right.addSocket(cy, 300); // a second socket keeps the first one's since
    left.applySnapshot(right.snapshot('n2', 0), 310);
    right.applySnapshot(left.snapshot('n1', 0), 310);
    expect(left.firstPlace('c', 'n1')).toBe(true);
    expect(right.firstPlace('c', 'n2')).toBe(false);
    // A process that does not say when (an older version) counts as earlier; one not holding Bob does not count.
    const third = new PresenceState();
    third.addSocket(bob, 100);
    third.applySnapshot({ node: 'n0', users: [ana], since: [1], at: 0 }, 130);
    expect(third.firstPlace('b', 'n3')).toBe(true);
    third.applySnapshot({ node: 'n0', users: [ana, bob], at: 0 }, 140);
    expect(third.firstPlace('b', 'n3')).toBe(false);
    expect(third.firstPlace('a', 'n3')).toBe(false); // not online here at all
  });

  it('lists a page of people by name, narrowed by name or handle in any case, with how many matched', () => {
    const state = new PresenceState();
    for (const user of [cy, bob, ana, { id: 'd', name: 'Dora', handle: 'anadora' }]) state.addSocket(user);
    expect(state.list('', 2)).toEqual({ online: [ana, bob], total: 4 });
    expect(state.list('  AN ', 10)).toEqual({ online: [ana, { id: 'd', name: 'Dora', handle: 'anadora' }], total: 2 });
    expect(state.list('zz', 10)).toEqual({ online: [], total: 0 });
  });

  it('paces client emits slower as more people are online', () => {
    expect(emitInterval(3)).toBe(250);
    expect(emitInterval(1000)).toBe(2000);
    expect(emitInterval(100_000)).toBe(5000);
  });

  it("paces a crowd's count as lists up to 2,500 online, then slower, up to 30 s", () => {
    for (const online of [3, 1000, 2500]) expect(countInterval(online)).toBe(emitInterval(online));
    expect(countInterval(10_000)).toBe(20_000);
    expect(countInterval(100_000)).toBe(30_000);
  });
});
