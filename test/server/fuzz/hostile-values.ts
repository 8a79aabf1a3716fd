/**
 * Values a hostile client sends: wrong types, huge and invisible strings, deep
 * nesting, prototype-named keys, and valid payloads with one part broken.
 */
import type { Random } from '../../support/seeded-random';

const KEYS = [
  'room',
  'clientOffset',
  'content',
  'seq',
  'cursors',
  'revs',
  'target',
  'emoji',
  'on',
  'typing',
  'userId',
  'replyTo',
  'name',
  'handle',
  'code',
  'readReceipts',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

const STRINGS = [
  '',
  ' ',
  'general',
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'fuzz-a',
  'a'.repeat(65),
  'dm:x:y',
  '\u0000',
  'a\u0000b',
  '\u202eevil',
  '\u200b',
  '\u3164',
  '\ud800',
  '💥',
  '9007199254740993',
  '-1',
  '1e308',
  'null',
  '<script>alert(1)</script>',
  "'; DROP TABLE messages; --",
  '../../etc/passwd',
  '%00',
  '\r\n\r\n',
];

const NUMBERS = [0, -0, -1, 1, 1.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, Number.MAX_VALUE, Number.MIN_VALUE];

export function hostileString(random: Random): string {
  switch (random.int(6)) {
    case 0:
    case 5:
      return random.pick(STRINGS);
    case 1:
      // Large: the content cap, past it, and (rarely) past the socket's message cap.
      return 'x'.repeat(random.pick([4000, 4001, 10_000, random.chance(0.03) ? 300_000 : 20_000]));
    case 2:
      return Array.from({ length: random.int(40) }, () => String.fromCharCode(random.int(0x3000))).join('');
    case 3:
      return `${random.pick(STRINGS)}${random.int(1000)}`;
    case 4:
      return random.int(1e9).toString(36);
  }
  return '';
}

function deep(random: Random): unknown {
  const depth = 50 + random.int(900);
  let value: unknown = random.pick(STRINGS);
  for (let level = 0; level < depth; level++) value = random.chance(0.5) ? [value] : { [random.pick(KEYS)]: value };
  return value;
}

/** An object whose keys may be prototype names, set as own data (as JSON.parse would). */
function hostileObject(random: Random, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let index = random.int(6); index > 0; index--) {
    Object.defineProperty(object, random.chance(0.8) ? random.pick(KEYS) : hostileString(random), {
      value: hostileValue(random, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

export function hostileValue(random: Random, depth = 0): unknown {
  const kinds = depth > 3 ? 6 : 9;
  switch (random.int(kinds)) {
    case 0:
      return null;
    case 1:
      return random.chance(0.5);
    case 2:
      return random.pick(NUMBERS) * (random.chance(0.5) ? 1 : -1);
    case 3:
    case 4:
      return hostileString(random);
    case 5:
      return undefined;
    case 6:
      return Array.from({ length: random.int(5) }, () => hostileValue(random, depth + 1));
    case 7:
      return hostileObject(random, depth);
    default:
      return random.chance(0.3) ? deep(random) : hostileObject(random, depth);
  }
}

/** A valid payload with (usually) one part broken, a key added, or the whole replaced. */
export function mutate(random: Random, valid: Record<string, unknown>): unknown {
  const roll = random.next();
  if (roll < 0.25) return valid;
  if (roll < 0.35) return hostileValue(random);
  const payload: Record<string, unknown> = { ...valid };
  const keys = Object.keys(payload);
  if (roll < 0.8 && keys.length > 0) payload[random.pick(keys)] = hostileValue(random);
  else
    Object.defineProperty(payload, random.pick(KEYS), {
      value: hostileValue(random),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return payload;
}
