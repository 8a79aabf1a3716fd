/** The caller's rooms, a room's history, and sending over HTTP (the background flush's path). */
import { Hono } from 'hono';
import { BATCH_SIZE } from '../../../shared/limits';
import type { Message, ReceiptCounts, RoomListing } from '../../../shared/protocol';
import { historyQuerySchema, parsePayload, postMessageBodySchema, receiptsQuerySchema, roomIdSchema } from '../../../shared/schema';
import { accessTo } from '../../chat/access';
import { err } from '../../chat/errors';
import { listRooms } from '../../chat/room-listing';
import { sendMessage } from '../../chat/send-message';
import { errorResponse } from '../errors';
import { type AppDeps, type Env, encodedJson, jsonBody } from '../request';

export function roomRoutes(deps: AppDeps) {
  const { store } = deps;
  return (
    new Hono<Env>()
      // `window` and `cap` (extension): what a catch-up sends a room, so a client counts what will arrive.
      .get('/rooms', async (c) =>
        c.json(
          {
            rooms: (await listRooms(store, c.get('user').id)) satisfies RoomListing[],
            window: deps.config.historyWindow,
            cap: deps.config.catchUpCap,
          },
          200,
        ),
      )
      .get('/rooms/:room/messages', async (c) => {
        const room = parsePayload(roomIdSchema, c.req.param('room'));
        if (!room.ok) return errorResponse(c, room.error);
        const query = parsePayload(historyQuerySchema, c.req.query());
        if (!query.ok) return errorResponse(c, query.error);
        if ((await accessTo(store, c.get('user').id, room.value)) === 'forbidden') {
          return errorResponse(c, err('forbidden', 'you may not read that conversation'));
        }
        const { after, before, around } = query.value;
        const limit = Math.min(Math.max(query.value.limit, 1), BATCH_SIZE);
        if (before !== undefined) {
          // Paging back is the hot read ("load older" at any depth): the page goes out as the store encoded it.
          const page = await store.encodedMessagesBefore(room.value, before, limit);
          return encodedJson<{ messages: Message[] }>(c, `{"messages":${page.json}}`);
        }
        let messages: Message[];
        if (around !== undefined) {
          // The message itself and what was said just before it, then what followed.
          const older = await store.messagesBefore(room.value, around + 1, Math.ceil(limit / 2));
          messages = [...older, ...(await store.messagesAfter(room.value, around, limit - older.length))];
        } else messages = await store.messagesAfter(room.value, after, limit);
        return c.json({ messages }, 200);
      })
      // Extension: how many members received and read `seq` (ticks on demand, any room size).
      .get('/rooms/:room/receipts', async (c) => {
        const room = parsePayload(roomIdSchema, c.req.param('room'));
        if (!room.ok) return errorResponse(c, room.error);
        const query = parsePayload(receiptsQuerySchema, c.req.query());
        if (!query.ok) return errorResponse(c, query.error);
        if ((await accessTo(store, c.get('user').id, room.value)) !== 'member')
          return errorResponse(c, err('forbidden', `you are not in ${room.value}`));
        const counts: ReceiptCounts = await store.receiptCounts(room.value, query.value.seq);
        return c.json(counts, 200);
      })
      .post('/rooms/:room/messages', jsonBody(postMessageBodySchema), async (c) => {
        const room = parsePayload(roomIdSchema, c.req.param('room'));
        if (!room.ok) return errorResponse(c, room.error);
        const outcome = await sendMessage(deps, c.get('user'), { room: room.value, ...c.req.valid('json') });
        if (!outcome.ok) return errorResponse(c, outcome.error);
        const message: Message = outcome.message;
        return outcome.created ? c.json({ message }, 201) : c.json({ message }, 200);
      })
  );
}
