// The final server of the official Socket.IO "Get started" chat tutorial
// (https://socket.io/docs/v4/tutorial/step-7 "Server delivery" and step-8
// "Client delivery"), as the tutorial writes it: express + socket.io +
// sqlite/sqlite3, one awaited INSERT per message, io.emit per message, and
// catch-up as one emit per stored row since auth.serverOffset.
//
// Kept faithful on purpose — it is a baseline, do not improve it. The only
// changes: the port and database file come from PORT / CHAT_DB (the tutorial
// hard-codes 3000 and 'chat.db'), HOST binds loopback, and /healthz exists so
// the harness knows when it is listening. It runs as one process, like the
// tutorial before its optional "Horizontal scaling" step.
import express from 'express';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { Server } from 'socket.io';
import sqlite3 from 'sqlite3';
import { open } from 'sqlite';

// open the database file
const db = await open({
  filename: process.env.CHAT_DB ?? 'chat.db',
  driver: sqlite3.Database,
});

// create our 'messages' table (you can ignore the 'client_offset' column for now)
await db.exec(`
  CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      client_offset TEXT UNIQUE,
      content TEXT
  );
`);

const app = express();
const server = createServer(app);
const io = new Server(server, {
  connectionStateRecovery: {},
});

const __dirname = dirname(fileURLToPath(import.meta.url));

app.get('/', (req, res) => {
  res.sendFile(join(__dirname, 'index.html'));
});

// harness only: readiness probe
app.get('/healthz', (req, res) => {
  res.send('ok');
});

io.on('connection', async (socket) => {
  socket.on('chat message', async (msg, clientOffset, callback) => {
    let result;
    try {
      result = await db.run('INSERT INTO messages (content, client_offset) VALUES (?, ?)', msg, clientOffset);
    } catch (e) {
      if (e.errno === 19 /* SQLITE_CONSTRAINT */) {
        // the message was already inserted, so we notify the client
        callback();
      } else {
        // nothing to do, just let the client retry
      }
      return;
    }
    io.emit('chat message', msg, result.lastID);
    // acknowledge the event
    callback();
  });

  if (!socket.recovered) {
    // if the connection state recovery was not successful
    try {
      await db.each('SELECT id, content FROM messages WHERE id > ?', [socket.handshake.auth.serverOffset || 0], (_err, row) => {
        socket.emit('chat message', row.content, row.id);
      });
    } catch (e) {
      // something went wrong
    }
  }
});

const port = Number(process.env.PORT ?? 3000);
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  console.log(`server running at http://${process.env.HOST ?? '127.0.0.1'}:${port}`);
});
