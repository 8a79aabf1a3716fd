/**
 * What each client event costs, in one table: every event of the map must be
 * listed (the type says so), so a new event cannot forget its budget. Sends pay
 * in the send path itself (chat/send-message.ts), shared with HTTP.
 */
import type { ClientToServerEvents } from '../../shared/protocol';
import type { Budget } from '../config';

export const EVENT_BUDGETS: Record<keyof ClientToServerEvents, Budget | null> = {
  'message:send': null,
  // Changes are writes, like sends: they pay from the same budget.
  'message:edit': 'send',
  'message:delete': 'send',
  'reaction:set': 'send',
  'room:delivered': 'signal',
  'room:join': 'action',
  'room:leave': 'action',
  'dm:open': 'action',
  sync: 'action',
  'room:read': 'signal',
  typing: 'signal',
  'app:visibility': 'signal',
  'presence:list': 'action',
};
