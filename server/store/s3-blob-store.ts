/**
 * A BlobStore in an S3-compatible bucket (AWS S3, MinIO, R2, Ceph…), for scale-out instances
 * that share no disk: `<endpoint>/<bucket>/<prefix><key>` (path-style, which every S3-compatible
 * service answers), requests signed with SigV4 by aws4fetch. An S3 PUT is atomic — the object
 * appears whole or not at all — so a blob is never seen in part.
 */
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AwsClient } from 'aws4fetch';
import { assertBlobKey, type BlobStore } from './blob-store';

export type S3Config = {
  /** The service's base URL, e.g. https://s3.eu-west-1.amazonaws.com or http://minio:9000. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Prepended to every key (a folder in a shared bucket); '' for none. */
  prefix: string;
};

export class S3Error extends Error {}

export function openS3BlobStore(config: S3Config): BlobStore {
  const client = new AwsClient({
    accessKeyId: config.accessKeyId,
    secretAccessKey: config.secretAccessKey,
    service: 's3',
    region: config.region,
    // Retries are the caller's (the outbox retries an upload; a read is asked for again).
    retries: 0,
  });
  const base = `${config.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(config.bucket)}/`;
  const urlOf = (key: string): string => {
    assertBlobKey(key);
    return `${base}${config.prefix.split('/').map(encodeURIComponent).join('/')}${key}`;
  };
  const fail = (what: string, response: Response): never => {
    throw new S3Error(`S3 ${what} answered ${response.status} ${response.statusText}`);
  };

  async function size(key: string): Promise<number | null> {
    const response = await client.fetch(urlOf(key), { method: 'HEAD' });
    if (response.status === 404) return null;
    if (!response.ok) fail(`HEAD ${key}`, response);
    return Number(response.headers.get('Content-Length'));
  }

  return {
    has: async (key) => (await size(key)) !== null,
    size,
    async put(key, fromPath) {
      // Content-addressed: a key that exists already holds these bytes.
      if ((await size(key)) !== null) return;
      const bytes = await readFile(fromPath);
      const response = await client.fetch(urlOf(key), { method: 'PUT', body: bytes, headers: { 'Content-Length': String(bytes.length) } });
      if (!response.ok) fail(`PUT ${key}`, response);
    },
    async open(key, range) {
      const headers: Record<string, string> = range ? { Range: `bytes=${range.start}-${range.end}` } : {};
      const response = await client.fetch(urlOf(key), { method: 'GET', headers });
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok || !response.body) fail(`GET ${key}`, response);
      // 206: "bytes start-end/total"; 200: the whole object.
      const total = /\/(\d+)$/.exec(response.headers.get('Content-Range') ?? '')?.[1];
      return {
        stream: Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>),
        size: Number(total ?? response.headers.get('Content-Length')),
      };
    },
    async remove(key) {
      const response = await client.fetch(urlOf(key), { method: 'DELETE' });
      // S3 answers 204 whether or not the object was there.
      if (!response.ok && response.status !== 404) fail(`DELETE ${key}`, response);
    },
  };
}
