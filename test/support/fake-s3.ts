/**
 * A loopback stand-in for an S3-compatible service (outside the project, so a fake): objects in
 * memory, path-style `/<bucket>/<key>`, PUT / GET (with Range) / HEAD / DELETE, and every request's
 * SigV4 signature checked by signing it again with the same credentials and time (a wrong key,
 * region or canonical request answers 403 and is recorded in `faults`).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsV4Signer } from 'aws4fetch';

export type FakeS3 = {
  endpoint: string;
  objects: Map<string, Buffer>;
  /** Requests refused for their signature: a test expects none. */
  faults: string[];
  close(): Promise<void>;
};

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });

export async function startFakeS3(credentials: { accessKeyId: string; secretAccessKey: string; region: string }): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const faults: string[] = [];

  async function signatureHolds(request: IncomingMessage, url: string): Promise<boolean> {
    const authorization = request.headers.authorization ?? '';
    const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    const headers: Record<string, string> = {};
    for (const name of signedNames) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const date = request.headers['x-amz-date'];
    if (typeof date !== 'string' || !authorization.startsWith(`AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/`)) return false;
    const signer = new AwsV4Signer({ ...credentials, method: request.method, url, headers, service: 's3', datetime: date });
    const { headers: signed } = await signer.sign();
    return signed.get('Authorization') === authorization;
  }

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = `http://${request.headers.host}${request.url}`;
      if (!(await signatureHolds(request, url))) {
        faults.push(`${request.method} ${request.url}: bad signature`);
        response.writeHead(403).end('<Error><Code>SignatureDoesNotMatch</Code></Error>');
        return;
      }
      const key = decodeURIComponent(new URL(url).pathname);
      const object = objects.get(key);
      if (request.method === 'PUT') {
        objects.set(key, body);
        response.writeHead(200, { ETag: '"fake"' }).end();
      } else if (request.method === 'DELETE') {
        objects.delete(key);
        response.writeHead(204).end();
      } else if (!object) {
        response.writeHead(404).end(request.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code></Error>');
      } else if (request.method === 'HEAD') {
        response.writeHead(200, { 'Content-Length': object.length }).end();
      } else {
        const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
        if (!range) {
          response.writeHead(200, { 'Content-Length': object.length }).end(object);
          return;
        }
        const start = Number(range[1]);
        const end = Math.min(Number(range[2]), object.length - 1);
        response
          .writeHead(206, { 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${object.length}` })
          .end(object.subarray(start, end + 1));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    faults,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
