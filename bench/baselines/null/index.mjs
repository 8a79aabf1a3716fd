// The null ceiling: a Socket.IO server speaking our protocol's message:send /
// message:new that stores nothing — it stamps an id/seq, acks, and broadcasts.
// Whatever our server does beyond this (validation, SQLite commit, auth,
// presence, cluster hops) is what the gap to this server costs. One process.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Server } from 'socket.io';

const users = new Map(); // token -> user
let nextId = 1;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
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
      const token = randomBytes(16).toString('hex');
      const user = { id: randomBytes(8).toString('hex'), name };
      users.set(token, user);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ token, user }));
    });
    return;
  }
  res.writeHead(404).end();
});

const io = new Server(server);

io.use((socket, next) => {
  const user = users.get(socket.handshake.auth?.token);
  if (!user) return next(new Error('unauthorized'));
  socket.data.user = user;
  next();
});

io.on('connection', (socket) => {
  socket.on('message:send', (payload, ack) => {
    const id = nextId++;
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
  socket.emit('sync:done', { lastSeq: { general: nextId - 1 } });
});

const port = Number(process.env.PORT ?? 3000);
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  console.log(`null server at http://${process.env.HOST ?? '127.0.0.1'}:${port}`);
});
