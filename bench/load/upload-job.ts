/**
 * The upload load of bench/uploads.ts, in a process of its own so that its HTTP work never slows
 * the text senders it is compared with: `clients` clients each upload a distinct ~`bytes` JPEG
 * again and again for `durationMs` (to our server: tus creation, one PATCH, finalize; to the
 * file-copy baseline: one POST), then print `RESULT {json}`. Prints `READY` once its photos are
 * made, when the uploads start.
 *
 * Usage: node --import tsx bench/load/upload-job.ts '{"target":"ours","url":…,"tokens":[…],"bytes":…,"durationMs":…}'
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';

export type UploadJob = { target: 'ours' | 'copy'; url: string; clients: number; tokens: string[]; bytes: number; durationMs: number };
export type UploadJobResult = { latencies: number[]; errors: number; firstError: string | null };

/** A photo's bytes, as fetch sends them. */
type Photo = Uint8Array<ArrayBuffer>;

/** A JPEG of noise (noise does not compress) of about `bytes` bytes, different for each `seed`. */
export async function photoOf(bytes: number, seed: number): Promise<Photo> {
  const width = 1000;
  const height = Math.round(bytes / 640);
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed * 2654435761 + 1;
  for (let index = 0; index < pixels.length; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[index] = state >>> 24;
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 80 })
      .toBuffer(),
  );
}

/** One upload as the PWA makes it: tus creation, the bytes in one PATCH, finalize. */
async function uploadToOurs(url: string, token: string, body: Photo): Promise<void> {
  const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const metadata = `filename ${Buffer.from('photo.jpg').toString('base64')},filetype ${Buffer.from('image/jpeg').toString('base64')}`;
  const created = await fetch(`${url}/api/uploads`, {
    method: 'POST',
    headers: { ...auth, 'upload-length': String(body.length), 'upload-metadata': metadata },
  });
  const location = created.headers.get('location');
  if (created.status !== 201 || !location) throw new Error(`tus creation answered ${created.status}`);
  const patched = await fetch(new URL(location, url), {
    method: 'PATCH',
    headers: { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body,
  });
  if (patched.status !== 204) throw new Error(`tus PATCH answered ${patched.status}`);
  const finalized = await fetch(`${url}/api/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ upload: location.split('/').pop() }),
  });
  if (finalized.status !== 201 && finalized.status !== 200)
    throw new Error(`finalize answered ${finalized.status}: ${await finalized.text()}`);
  await finalized.arrayBuffer();
}

async function uploadToCopy(url: string, body: Photo): Promise<void> {
  const response = await fetch(`${url}/upload`, { method: 'POST', body });
  if (response.status !== 201) throw new Error(`file copy answered ${response.status}`);
}

async function run(job: UploadJob): Promise<UploadJobResult> {
  const photos = await Promise.all(Array.from({ length: job.clients }, (_, index) => photoOf(job.bytes, index + 1)));
  // Making the photos takes a core for a second or more: the text senders start only after it.
  process.stdout.write('READY\n');
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const deadline = performance.now() + job.durationMs;
  await Promise.all(
    photos.map(async (photo, client) => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          if (job.target === 'ours') await uploadToOurs(job.url, job.tokens[client] ?? '', photo);
          else await uploadToCopy(job.url, photo);
          if (performance.now() <= deadline) latencies.push(performance.now() - started);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  return { latencies, errors, firstError };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const job = JSON.parse(process.argv[2] ?? '{}') as UploadJob;
  run(job).then(
    (result) => {
      process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
