/** `message:packed` pages: what a packed page reads back as, and what it leaves out. */
import { describe, expect, it } from 'vitest';
import { messagesOfPacked, packedJsonOfMessages } from '../../shared/message-packed';
import { rowsOfMessages } from '../../shared/message-rows';
import type { Message, MessagePacked } from '../../shared/protocol';

const ada = { id: 'pCUf_DLtvpVH', name: 'Ada' };
const bob = { id: 'u_2', name: 'Bob', handle: 'bob' };

/** Messages of one room as a store reads them: ids interleaved with other rooms', a hole in seq, a clock that stepped back. */
const messages: Message[] = [
  { id: 4711, room: 'general', seq: 501, author: ada, clientOffset: 'c-1', content: 'hello', ts: 1796233302577 },
  { id: 4712, room: 'general', seq: 502, author: bob, clientOffset: 'c-9', content: '', ts: 1796233302601, deleted: true },
  {
    id: 4790,
    room: 'general',
    seq: 503,
    author: ada,
    clientOffset: 'c-2',
    content: 'a "quoted"\nline ✓',
    ts: 1796233302590,
    editedAt: 1796233309000,
    replyTo: { id: 4711, seq: 501, author: ada, preview: 'hello' },
    // An own `__proto__` key, as JSON.parse makes one (an object literal would set the prototype instead).
    reactions: JSON.parse('{"👍": ["u_2"], "__proto__": ["pCUf_DLtvpVH"]}') as Record<string, string[]>,
  },
  { id: 4800, room: 'general', seq: 505, author: bob, clientOffset: 'c-10', content: 'after a hole', ts: 1796233400000 },
];

const packed = (list: Message[]) => JSON.parse(packedJsonOfMessages('general', list)) as MessagePacked;

describe('message:packed pages', () => {
  it('read back as the very messages they were made of: authors, later life and odd numbers included', () => {
    const page = packed(messages);
    const back = messagesOfPacked(page);
    expect(back).toEqual(messages);
    // A reaction keyed like an Object.prototype member is data, not the message's prototype.
    expect(Object.hasOwn(back[2].reactions ?? {}, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(back[2])).toBe(Object.prototype);
  });

  it('name each author once and step every number from the row before', () => {
    const page = packed(messages);
    expect(page.room).toBe('general');
    expect(page.users).toEqual([
      ['pCUf_DLtvpVH', 'Ada'],
      ['u_2', 'Bob', 'bob'],
    ]);
    expect(page.rows.map((row) => row.slice(0, 3))).toEqual([
      [4711, 501, 0],
      [1, 1, 1],
      [78, 1, 0],
      [10, 2, 1],
    ]);
    // The clock stepped back: a negative step, read back exactly.
    expect(page.rows[2][5]).toBe(-11);
    expect(page.rows.map((row) => row.length)).toEqual([6, 7, 7, 6]);
  });

  it('share one User object per author, as message:rows does', () => {
    const back = messagesOfPacked(packed(messages));
    expect(back[0].author).toBe(back[2].author);
  });

  it('read an empty page as no messages', () => {
    expect(packedJsonOfMessages('general', [])).toBe('{"room":"general","users":[],"rows":[]}');
    expect(messagesOfPacked(packed([]))).toEqual([]);
  });

  it('keep a row whose author is not on the page rather than failing the page', () => {
    const page: MessagePacked = { room: 'general', users: [], rows: [[1, 1, 3, 'c-1', 'x', 5]] };
    expect(messagesOfPacked(page)).toEqual([
      { id: 1, room: 'general', seq: 1, author: { id: '', name: '' }, clientOffset: 'c-1', content: 'x', ts: 5 },
    ]);
  });

  it('take fewer bytes than message:rows for a page of one room', () => {
    const page = Array.from({ length: 500 }, (_, index): Message => ({
      id: 90_000 + index * 3,
      room: 'general',
      seq: 30_001 + index,
      author: index % 3 ? ada : bob,
      clientOffset: `c-${index}`,
      content: 'see you at eight',
      ts: 1796233302577 + index * 1500,
    }));
    const rowsBytes = JSON.stringify(rowsOfMessages('general', page)).length;
    const packedBytes = packedJsonOfMessages('general', page).length;
    expect(packedBytes).toBeLessThan(rowsBytes * 0.7);
  });
});
