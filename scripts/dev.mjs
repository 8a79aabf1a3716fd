// `npm run dev`: the server on :3000 (one process, restarted on change) and Vite's
// dev server on :5173 with hot reload, proxying /api and /socket.io to the server.
import { spawn } from 'node:child_process';

const children = [
  spawn(process.execPath, ['--watch', '--import', 'tsx', 'server/index.ts'], {
    stdio: 'inherit',
    env: { WORKERS: '1', PORT: '3000', ...process.env },
  }),
  spawn(process.execPath, ['node_modules/vite/bin/vite.js', '--port', '5173'], { stdio: 'inherit' }),
];
console.log('dev: open http://localhost:5173 (the service worker is only active in `npm start`)');

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children) child.on('exit', (code) => code && stop());
