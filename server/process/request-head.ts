/**
 * What the sticky router needs from a connection's first bytes: the request
 * line, once the whole head (request line and headers) has arrived, however
 * many chunks it took; or a refusal for bytes that cannot be an HTTP/1 head.
 */
export type Head =
  | { state: 'partial' }
  | { state: 'complete'; requestLine: string }
  /** 400: not HTTP; 431: the head is larger than the cap. */
  | { state: 'refused'; status: 400 | 431 };

const END_OF_HEAD = Buffer.from('\r\n\r\n');
const END_OF_LINE = Buffer.from('\r\n');
const REQUEST_LINE = /^[A-Z]{1,16} [\x21-\x7e]+ HTTP\/1\.[01]$/;
const A = 0x41;
const Z = 0x5a;

/** `bytes`: everything read so far. */
export function readHead(bytes: Buffer, maxBytes: number): Head {
  // Every HTTP method starts with a capital letter: anything else is refused at its first byte.
  if (bytes.length > 0 && (bytes[0] < A || bytes[0] > Z)) return { state: 'refused', status: 400 };
  const lineEnd = bytes.indexOf(END_OF_LINE);
  if (lineEnd === -1) return bytes.length >= maxBytes ? { state: 'refused', status: 431 } : { state: 'partial' };
  const requestLine = bytes.toString('latin1', 0, lineEnd);
  if (!REQUEST_LINE.test(requestLine)) return { state: 'refused', status: 400 };
  const headEnd = bytes.indexOf(END_OF_HEAD, lineEnd);
  if (headEnd === -1) return bytes.length >= maxBytes ? { state: 'refused', status: 431 } : { state: 'partial' };
  if (headEnd + END_OF_HEAD.length > maxBytes) return { state: 'refused', status: 431 };
  return { state: 'complete', requestLine };
}
