/**
 * Response framing for the reference client: one request in flight per connection, responses with a
 * Content-Length (both bench targets send one). Anything else is an error, never a guess.
 */
export const MAX_HEAD_BYTES = 64 * 1024;

export type Framed = { status: number } | 'more' | 'error';

/** Whether `buf` (all bytes received since the request was sent) is one whole response. */
export function frameResponse(buf: Buffer): Framed {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return buf.length > MAX_HEAD_BYTES ? 'error' : 'more';
  const head = buf.toString('latin1', 0, headEnd);
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
  const length = /\r\ncontent-length:[ \t]*(\d+)[ \t]*(?:\r\n|$)/i.exec(head);
  if (!status || !length) return 'error';
  const total = headEnd + 4 + Number(length[1]);
  if (buf.length < total) return 'more';
  // More bytes than the response: the server answered something we did not ask for.
  return buf.length === total ? { status: Number(status[1]) } : 'error';
}
