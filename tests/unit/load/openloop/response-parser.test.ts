import { describe, expect, it } from 'vitest';
import { DONE, ERROR, MORE, ResponseParser } from '../../../../src/load/openloop/response-parser.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Feeds `text` split at every given offset; returns each feed's result. */
function feedSplit(p: ResponseParser, text: string, cuts: number[]): number[] {
  const out: number[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    out.push(p.feed(b(text.slice(from, cut))));
    from = cut;
  }
  return out;
}

const fixed = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';
const chunked = 'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n';

describe('ResponseParser', () => {
  it('parses a Content-Length response in one read', () => {
    const p = new ResponseParser();
    expect(p.feed(b(fixed))).toBe(DONE);
    expect(p.status).toBe(200);
    expect(p.keepAlive).toBe(true);
  });

  it('parses a Content-Length response split at every byte', () => {
    const p = new ResponseParser();
    const results = feedSplit(p, fixed, Array.from({ length: fixed.length - 1 }, (_, i) => i + 1));
    expect(results.slice(0, -1).every((r) => r === MORE)).toBe(true);
    expect(results.at(-1)).toBe(DONE);
    expect(p.status).toBe(200);
  });

  it('parses a chunked response with extensions and trailers, whole and split at every byte', () => {
    const whole = new ResponseParser();
    expect(whole.feed(b(chunked))).toBe(DONE);
    expect(whole.status).toBe(201);
    const split = new ResponseParser();
    const results = feedSplit(split, chunked, Array.from({ length: chunked.length - 1 }, (_, i) => i + 1));
    expect(results.filter((r) => r === DONE)).toHaveLength(1);
    expect(results.at(-1)).toBe(DONE);
    expect(results.includes(ERROR)).toBe(false);
  });

  it('is reusable across responses on one connection', () => {
    const p = new ResponseParser();
    expect(p.feed(b(fixed))).toBe(DONE);
    p.reset();
    expect(p.feed(b('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n'))).toBe(DONE);
    expect(p.status).toBe(500);
  });

  it('handles 204 and 304 without a body, and skips 100 Continue', () => {
    const p = new ResponseParser();
    expect(p.feed(b('HTTP/1.1 204 No Content\r\n\r\n'))).toBe(DONE);
    p.reset();
    expect(p.feed(b('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))).toBe(DONE);
    expect(p.status).toBe(200);
  });

  it('reads a close-delimited body until end()', () => {
    const p = new ResponseParser();
    expect(p.feed(b('HTTP/1.1 200 OK\r\n\r\nsome body'))).toBe(MORE);
    expect(p.readsUntilClose).toBe(true);
    expect(p.end()).toBe(DONE);
    expect(p.keepAlive).toBe(false);
  });

  it('honours Connection: close and HTTP/1.0 defaults', () => {
    const p = new ResponseParser();
    expect(p.feed(b('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'))).toBe(DONE);
    expect(p.keepAlive).toBe(false);
    p.reset();
    expect(p.feed(b('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))).toBe(DONE);
    expect(p.keepAlive).toBe(false);
    p.reset();
    expect(p.feed(b('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'))).toBe(DONE);
    expect(p.keepAlive).toBe(true);
  });

  it('reports malformed input as ERROR with a reason', () => {
    const cases = [
      'HTTX/1.1 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab',
    ];
    for (const c of cases) {
      const p = new ResponseParser();
      expect(p.feed(b(c)), c).toBe(ERROR);
      expect(p.error.length).toBeGreaterThan(0);
    }
  });

  it('reports a response cut short by the connection closing', () => {
    const p = new ResponseParser();
    expect(p.feed(b('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'))).toBe(MORE);
    expect(p.end()).toBe(ERROR);
  });
});
