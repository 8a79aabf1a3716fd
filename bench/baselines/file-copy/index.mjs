// The file-copy baseline for uploads (#18): one Node process that writes each request body to a
// file and answers 201. No auth, no type check, no re-encode, no fsync: the floor an upload path
// on this machine can be compared with.
import { createWriteStream, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const dir = process.env.UPLOAD_DIR ?? '/tmp/file-copy-baseline';
mkdirSync(dir, { recursive: true });
let count = 0;

createServer(async (req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    return;
  }
  try {
    await pipeline(req, createWriteStream(join(dir, `upload-${++count}`)));
    res.writeHead(201).end();
  } catch {
    res.writeHead(500).end();
  }
}).listen(port, host, () => console.log(`file-copy baseline on http://${host}:${port}`));
