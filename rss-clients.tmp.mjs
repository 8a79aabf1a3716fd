import { io } from 'socket.io-client';
const url = 'http://127.0.0.1:3999';
const n = Number(process.argv[2] ?? 10);
const sockets = [];
for (let i = 0; i < n; i++) {
  const r = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `idle ${i}` }) });
  const { token } = await r.json();
  const s = io(url, { auth: { token, cursors: {} }, transports: ['websocket'] });
  await new Promise((res) => s.once('sync:done', res));
  sockets.push(s);
}
console.log('connected', n);
setTimeout(() => process.exit(0), Number(process.argv[3] ?? 16000));
