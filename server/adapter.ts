/** Joins the workers' Socket.IO servers so a broadcast reaches sockets on every worker. */
import { createAdapter } from '@socket.io/cluster-adapter';
import type { Config } from './config';
import type { ChatServer } from './socket';

/** Call in a cluster worker (or any process that must share broadcasts); a lone process needs nothing. */
export async function attachAdapter(io: ChatServer, _config: Pick<Config, 'redisUrl'>, clustered: boolean): Promise<void> {
  if (clustered) io.adapter(createAdapter());
}
