import { describe, expect, it } from 'vitest';
import { INGEST_SHAPES, phaseClock, shapeOfPhase } from '../../bench/load/ingest-shapes';

describe('ingest shapes taking turns', () => {
  it('gives every shape every place in a turn equally often, and each shape after each other one', () => {
    const turns = Array.from({ length: 3 }, (_, turn) => [0, 1, 2].map((place) => shapeOfPhase(turn * 3 + place)));
    expect(turns).toEqual([
      ['send', 'mixed', 'ticks'],
      ['mixed', 'ticks', 'send'],
      ['ticks', 'send', 'mixed'],
    ]);
    for (const place of [0, 1, 2]) expect(new Set(turns.map((turn) => turn[place]))).toEqual(new Set(INGEST_SHAPES));
    const order = Array.from({ length: 12 }, (_, phase) => shapeOfPhase(phase));
    const pairs = new Set(order.slice(1).map((shape, index) => `${order[index]}→${shape}`));
    expect(pairs).toEqual(new Set(['send→mixed', 'mixed→ticks', 'ticks→send', 'ticks→mixed', 'mixed→send', 'send→ticks']));
    // The unmeasured turn before the window is a whole turn too.
    expect(new Set([-3, -2, -1].map(shapeOfPhase))).toEqual(new Set(INGEST_SHAPES));
  });

  it('runs the shapes from one turn before the window to its end, and counts only inside it', () => {
    const clock = phaseClock(10_000, 3_600, 600);
    expect(clock.shapeAt(8_100)).toBeNull();
    expect(clock.shapeAt(8_200)).not.toBeNull();
    expect(clock.countedAt(9_999)).toBeNull();
    expect(clock.countedAt(10_000)).toBe('send');
    expect(clock.countedAt(10_600)).toBe('mixed');
    expect(clock.countedAt(11_800)).toBe('mixed');
    expect(clock.shapeAt(13_600)).toBeNull();
    for (const shape of INGEST_SHAPES) expect(clock.msOf(shape)).toBe(1_200);
  });
});
