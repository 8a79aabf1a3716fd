/** A pre-encoded catch-up batch is the very packet socket.emit would have written. */
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { encodedEvent } from '../../../../server/realtime/wire/pre-encoded';

// The parser socket.io itself uses.
const require = createRequire(import.meta.url);
const { Encoder, PacketType } = createRequire(require.resolve('socket.io'))('socket.io-parser') as typeof import('socket.io-parser');

it('encodes an event around JSON text exactly as socket.io-parser encodes the value', () => {
  const payload = [
    {
      id: 1,
      room: 'general',
      seq: 1,
      author: { id: 'u"1', name: 'Zoë \\ "quoted"\n' },
      clientOffset: 'o-1',
      content: '😀 </script>',
      ts: 1,
    },
  ];
  const [viaParser] = new Encoder().encode({ type: PacketType.EVENT, nsp: '/', data: ['message:batch', payload] });
  expect(encodedEvent('message:batch', JSON.stringify(payload))).toBe(viaParser);
});
