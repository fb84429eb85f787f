/**
 * Container logs without a TTY arrive multiplexed: frames of an 8-byte header (stream byte, 3 zero
 * bytes, big-endian uint32 length) followed by the payload. This turns them back into text.
 */
export function demuxDockerLogs(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const streamType = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    // Not a frame header: the container had a TTY, so the buffer is already plain text.
    if (streamType === undefined || streamType > 2 || buffer[offset + 1] !== 0) return buffer.toString('utf8');
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  if (offset < buffer.length && parts.length === 0) return buffer.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}
