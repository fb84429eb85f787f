/**
 * A minimal HTTP/1.1 response parser for one response at a time (no pipelining): status line,
 * headers, then a body framed by Content-Length, chunked transfer coding, or the connection's close
 * (RFC 9112 §6.3). It only finds where a response ends and its status; it keeps no body bytes, so a
 * response costs no allocation beyond split header blocks.
 *
 * `feed()` returns MORE, DONE or ERROR as small integers (not objects) because it runs once per
 * socket read on the hot path; on DONE read `status` and `keepAlive`, on ERROR read `error`.
 */

export const MORE = 0;
export const DONE = 1;
export const ERROR = -1;
export type FeedResult = typeof MORE | typeof DONE | typeof ERROR;

/** Header blocks larger than this are a parse error (a benchmark target never sends them). */
const MAX_HEADER_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

const enum State {
  Head,
  FixedBody,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

export class ResponseParser {
  /** Status code of the last completed response. */
  status = 0;
  /** False when the server will close the connection after this response. */
  keepAlive = true;
  /** Why the last feed() returned ERROR. */
  error = '';

  private state: State = State.Head;
  private head: Buffer | null = null; // partial header block carried between reads
  private remaining = 0; // body or chunk bytes still expected
  private line = ''; // partial chunk-size or trailer line carried between reads

  /** Call before each request. */
  reset(): void {
    this.state = State.Head;
    this.head = null;
    this.remaining = 0;
    this.line = '';
    this.status = 0;
    this.keepAlive = true;
    this.error = '';
  }

  /** True while a response's body runs until the connection closes. */
  get readsUntilClose(): boolean {
    return this.state === State.UntilClose;
  }

  feed(chunk: Buffer): FeedResult {
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case State.Head: {
          const buf = this.head ? Buffer.concat([this.head, chunk.subarray(pos)]) : pos === 0 ? chunk : chunk.subarray(pos);
          const end = buf.indexOf(HEADER_END);
          if (end < 0) {
            if (buf.length > MAX_HEADER_BYTES) return this.fail('response header block too large');
            this.head = buf === chunk ? Buffer.from(chunk) : buf; // copy: the socket may reuse its buffer
            return MORE;
          }
          const consumedBefore = this.head ? this.head.length : 0;
          this.head = null;
          const r = this.parseHead(buf.toString('latin1', 0, end));
          if (r === ERROR) return ERROR;
          // Bytes of `chunk` consumed so far: the header block minus what came from earlier reads.
          pos += end + 4 - consumedBefore;
          if ((this.state as State) === State.Done) {
            if (pos < chunk.length) return this.fail('unexpected bytes after response (pipelining is not used)');
            return DONE;
          }
          break;
        }
        case State.FixedBody: {
          const take = Math.min(this.remaining, chunk.length - pos);
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) {
            this.state = State.Done;
            if (pos < chunk.length) return this.fail('unexpected bytes after response (pipelining is not used)');
            return DONE;
          }
          break;
        }
        case State.ChunkSize:
        case State.Trailers: {
          // A CR at the end of the previous read and its LF at the start of this one.
          const splitCrlf = this.line.endsWith('\r') && chunk[pos] === 0x0a;
          const eol = splitCrlf ? pos : chunk.indexOf(CRLF, pos);
          if (eol < 0) {
            this.line += chunk.toString('latin1', pos);
            if (this.line.length > MAX_HEADER_BYTES) return this.fail('chunk-size or trailer line too long');
            return MORE;
          }
          const text = splitCrlf ? this.line.slice(0, -1) : this.line + chunk.toString('latin1', pos, eol);
          this.line = '';
          pos = splitCrlf ? pos + 1 : eol + 2;
          if (this.state === State.Trailers) {
            if (text.length === 0) {
              this.state = State.Done;
              if (pos < chunk.length) return this.fail('unexpected bytes after response (pipelining is not used)');
              return DONE;
            }
            break; // a trailer field: ignored
          }
          const semi = text.indexOf(';'); // chunk extensions are ignored
          const hex = (semi < 0 ? text : text.slice(0, semi)).trim();
          if (!/^[0-9a-fA-F]+$/.test(hex)) return this.fail(`bad chunk size "${hex.slice(0, 20)}"`);
          const size = parseInt(hex, 16);
          if (size === 0) this.state = State.Trailers;
          else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, chunk.length - pos);
          this.remaining -= take;
          pos += take;
          if (this.remaining === 0) {
            this.state = State.ChunkDataEnd;
            this.remaining = 2; // the CRLF after the data
          }
          break;
        }
        case State.ChunkDataEnd: {
          // Expect exactly "\r\n"; it may be split across reads.
          const expected = this.remaining === 2 ? 0x0d : 0x0a;
          if (chunk[pos] !== expected) return this.fail('missing CRLF after chunk data');
          pos += 1;
          this.remaining -= 1;
          if (this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          return MORE; // the body ends with the connection: see end()
        case State.Done:
          return this.fail('unexpected bytes after response (pipelining is not used)');
      }
    }
    return this.state === State.Done ? DONE : MORE;
  }

  /** The connection closed: completes a close-delimited body, otherwise the response was cut short. */
  end(): FeedResult {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.keepAlive = false;
      return DONE;
    }
    return this.fail('connection closed before the response was complete');
  }

  private fail(reason: string): FeedResult {
    this.error = reason;
    return ERROR;
  }

  private parseHead(text: string): FeedResult {
    const lines = text.split('\r\n');
    const statusLine = lines[0] ?? '';
    const m = /^HTTP\/1\.([01]) (\d{3})(?: |$)/.exec(statusLine);
    if (!m) return this.fail(`bad status line "${statusLine.slice(0, 40)}"`);
    const http10 = m[1] === '0';
    const status = Number(m[2]);
    let contentLength = -1;
    let chunked = false;
    let connection = '';
    for (let i = 1; i < lines.length; i++) {
      const l = lines[i]!;
      const colon = l.indexOf(':');
      if (colon <= 0) return this.fail(`bad header line "${l.slice(0, 40)}"`);
      const name = l.slice(0, colon).trim().toLowerCase();
      if (name === 'content-length') {
        const v = l.slice(colon + 1).trim();
        if (!/^\d+$/.test(v)) return this.fail(`bad Content-Length "${v.slice(0, 20)}"`);
        const n = Number(v);
        if (contentLength >= 0 && contentLength !== n) return this.fail('conflicting Content-Length headers');
        contentLength = n;
      } else if (name === 'transfer-encoding') {
        chunked = /(^|,)\s*chunked\s*$/i.test(l.slice(colon + 1));
      } else if (name === 'connection') {
        connection = l.slice(colon + 1).trim().toLowerCase();
      }
    }
    // 1xx responses are interim (e.g. 100 Continue): the real response follows.
    if (status >= 100 && status < 200) {
      this.state = State.Head;
      return MORE;
    }
    this.status = status;
    this.keepAlive = http10 ? connection.includes('keep-alive') : !connection.includes('close');
    if (status === 204 || status === 304) this.state = State.Done;
    else if (chunked) this.state = State.ChunkSize; // chunked wins over Content-Length (RFC 9112 §6.3)
    else if (contentLength >= 0) {
      this.remaining = contentLength;
      this.state = contentLength === 0 ? State.Done : State.FixedBody;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    return MORE;
  }
}
