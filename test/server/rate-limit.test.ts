import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../server/chat/rate-limit';
import { connectAndCatchUp, createSession } from '../support/clients';
import { useServer } from '../support/server';

describe('rate limiting', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const limiter = createRateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('ana').ok)).toEqual([true, true, true]);
    const refused = limiter.take('ana');
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    expect(limiter.take('bob').ok).toBe(true);
    now = 500;
    expect(limiter.take('ana').ok).toBe(true);
    expect(limiter.take('ana').ok).toBe(false);
  });

  describe('on the wire', () => {
    const server = useServer({ env: { CHAT_RATE_LIMIT: '1:3' } });

    it('answers a flood with rate_limited and retryAfterMs, and stores only what it accepted', async () => {
      const { token } = await createSession(server().url, 'Flood');
      const { socket } = await connectAndCatchUp(server().url, token);
      const acks = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          socket.emitWithAck('message:send', { room: 'general', clientOffset: `f${index}`, content: 'spam' }),
        ),
      );
      socket.close();
      expect(acks.filter((ack) => ack.ok)).toHaveLength(3);
      const limited = acks.filter((ack) => !ack.ok);
      expect(limited).toHaveLength(3);
      for (const ack of limited) {
        if (ack.ok) continue;
        expect(ack.error.code).toBe('rate_limited');
        expect(ack.error.retryAfterMs).toBeGreaterThan(0);
      }
    });
  });
});
