/** A flood over Socket.IO meets the rate limit with its code, and only what was accepted is stored. */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/protocol';
import { connectAndCatchUp, createSession } from '../../support/clients';
import { useInProcessServer } from '../../support/in-process-server';

describe('rate limiting on the wire', () => {
  const server = useInProcessServer({ CHAT_RATE_LIMIT: '1:3' });

  it('answers a flood with rate_limited and retryAfterMs, and stores only what it accepted', async () => {
    const { token } = await createSession(server().url, 'Flood');
    const { socket } = await connectAndCatchUp(server().url, token);
    try {
      const acks = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          socket.emitWithAck('message:send', { room: 'general', clientOffset: `f${index}`, content: 'spam' }),
        ),
      );
      expect(acks.filter((ack) => ack.ok)).toHaveLength(3);
      const limited = acks.filter((ack) => !ack.ok);
      expect(limited).toHaveLength(3);
      for (const ack of limited) {
        if (ack.ok) continue;
        expect(ack.error.code).toBe('rate_limited');
        expect(ack.error.retryAfterMs).toBeGreaterThan(0);
      }
      const response = await fetch(`${server().url}/api/rooms/general/messages`, { headers: { authorization: `Bearer ${token}` } });
      const stored = ((await response.json()) as { messages: Message[] }).messages;
      expect(stored.map((message) => message.clientOffset).sort()).toEqual(
        acks.flatMap((ack) => (ack.ok ? [ack.message.clientOffset] : [])).sort(),
      );
    } finally {
      socket.close();
    }
  });
});
