// The null ceiling: a Socket.IO server speaking our protocol's message:send /
// message:new that stores nothing — it stamps an id/seq, acks, and broadcasts.
// Whatever our server does beyond this (validation, SQLite commit, auth,
// presence, our own cluster hops) is what the gap to this server costs.
//
// WORKERS=1 (the default): one process. WORKERS=N: a node:cluster of N workers
// joined by @socket.io/cluster-adapter, as ours is; connections are dealt round
// robin by node:cluster's primary (no sticky routing), so clients must use
// WebSocket only, as the load generator does. Sessions are stateless tokens so
// that any worker accepts a token another worker issued.
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';

const workers = Math.max(1, Number(process.env.WORKERS ?? 1) || 1);
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
// Loaded only in the cluster, so the one-process server is what it always was.
const { createAdapter, setupPrimary } = workers > 1 ? await import('@socket.io/cluster-adapter') : {};

if (workers > 1 && cluster.isPrimary) {
  setupPrimary();
  for (let index = 0; index < workers; index++) cluster.fork();
  console.log(`null cluster: ${workers} workers at http://${host}:${port}`);
} else {
  serve();
}

function serve() {
  // Ids are unique across workers (worker k stamps k, k + N, k + 2N…), not ordered across them.
  const step = cluster.isWorker ? workers : 1;
  let nextId = cluster.isWorker ? cluster.worker.id : 1;

  const tokenOf = (user) => Buffer.from(JSON.stringify(user)).toString('base64url');
  const userOf = (token) => {
    try {
      const user = JSON.parse(Buffer.from(String(token), 'base64url').toString());
      return typeof user?.id === 'string' && typeof user?.name === 'string' ? user : null;
    } catch {
      return null;
    }
  };

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') {
      // A new connection per probe reaches the next worker, so the harness can count them all.
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-worker-pid': String(process.pid), connection: 'close' })
        .end(JSON.stringify({ ok: true, store: 'none', workers }));
      return;
    }
    if (req.method === 'POST' && req.url === '/api/session') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        let name = 'anon';
        try {
          name = String(JSON.parse(body).name ?? 'anon').slice(0, 32);
        } catch {
          // keep the default name
        }
        const user = { id: randomBytes(8).toString('hex'), name };
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ token: tokenOf(user), user }));
      });
      return;
    }
    res.writeHead(404).end();
  });

  const io = new Server(server, cluster.isWorker ? { adapter: createAdapter() } : {});

  io.use((socket, next) => {
    const user = userOf(socket.handshake.auth?.token);
    if (!user) return next(new Error('unauthorized'));
    socket.data.user = user;
    next();
  });

  io.on('connection', (socket) => {
    socket.on('message:send', (payload, ack) => {
      const id = nextId;
      nextId += step;
      const message = {
        id,
        room: 'general',
        seq: id,
        author: socket.data.user,
        clientOffset: String(payload?.clientOffset ?? ''),
        content: String(payload?.content ?? ''),
        ts: Date.now(),
      };
      if (typeof ack === 'function') ack({ ok: true, message });
      io.emit('message:new', message);
    });
    socket.emit('sync:done', { lastSeq: { general: nextId - step } });
  });

  server.listen(port, host, () => {
    if (!cluster.isWorker) console.log(`null server at http://${host}:${port}`);
  });
}
