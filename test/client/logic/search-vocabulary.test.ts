import { describe, expect, it } from 'vitest';
import { COMPLETION_BUDGET, MAX_COMPLETIONS, Vocabulary } from '../../../client/logic/search-vocabulary';

describe('the words the device index holds', () => {
  it('completes a prefix with the words starting with it, shortest first, and forgets words no message holds', () => {
    const vocabulary = new Vocabulary();
    vocabulary.add(['kiwis', 'kiwi', 'kilo', 'apple']);
    vocabulary.add(['kiwi', 'kiwifruit']);
    expect(vocabulary.completions('kiw')).toEqual(['kiwi', 'kiwis', 'kiwifruit']);
    expect(vocabulary.completions('kiwi')).toEqual(['kiwi', 'kiwis', 'kiwifruit']);
    expect(vocabulary.completions('plum')).toEqual([]);
    // One of two messages holding kiwi goes: the word stays; the only one holding kiwis goes: it leaves.
    vocabulary.remove(['kiwi', 'kiwis', 'kilo', 'apple']);
    expect(vocabulary.completions('kiw')).toEqual(['kiwi', 'kiwifruit']);
    expect(vocabulary.completions('ki')).toEqual(['kiwi', 'kiwifruit']);
    // Back again after being forgotten, through the small (binary insertion) path.
    vocabulary.add(['kilo']);
    expect(vocabulary.completions('ki')).toEqual(['kilo', 'kiwi', 'kiwifruit']);
    expect(vocabulary.size).toBe(3);
  });

  it('keeps a short prefix cheap: at most MAX_COMPLETIONS words, holding about COMPLETION_BUDGET messages, never none', () => {
    const vocabulary = new Vocabulary();
    // 1,000 words starting with "ten" (after one big load: the sorting path), each held by 10 messages.
    const words = Array.from({ length: 1000 }, (_, n) => `ten${n}`);
    for (let message = 0; message < 10; message++) vocabulary.add(words);
    const chosen = vocabulary.completions('ten');
    expect(chosen.length).toBeLessThanOrEqual(MAX_COMPLETIONS);
    expect(chosen.slice(0, 10)).toEqual(['ten0', 'ten1', 'ten2', 'ten3', 'ten4', 'ten5', 'ten6', 'ten7', 'ten8', 'ten9']);
    expect(chosen.length * 10).toBeLessThanOrEqual(COMPLETION_BUDGET);
    // A word held by more messages than the whole budget is still searched.
    const common = new Vocabulary();
    for (let message = 0; message < COMPLETION_BUDGET + 1; message++) common.add(['the']);
    expect(common.completions('the')).toEqual(['the']);
  });
});
