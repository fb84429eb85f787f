/**
 * Reading input files with a size cap. Scenario, claims and run.json files come from users and CI
 * artifacts; a 50 MB scenario or a device file must be refused by size, before any parsing allocates
 * a multiple of it.
 */
import { constants, open } from 'node:fs/promises';
import { fileKind } from './fs.ts';
import { ConfigError } from '../errors.ts';

/** Scenario and claims files: a real one is a few KB. */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
/** run.json: a smoke run is ~0.75 MB, an article run a few MB (raw histograms); 64 MiB leaves room. */
export const MAX_RUN_FILE_BYTES = 64 * 1024 * 1024;

export function formatLimit(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

/** ConfigError (exit 2) for input over `maxBytes`; `what` names it, e.g. "scenario scenarios/x.yaml". */
export function tooLarge(what: string, maxBytes: number): ConfigError {
  return new ConfigError(`${what} is larger than the ${formatLimit(maxBytes)} limit`, {
    hint: 'give the real file; nothing this large is a valid input (limits are listed in the README)',
  });
}

/** Throws `tooLarge` when `text` (UTF-8) exceeds `maxBytes`; for text that did not come from a file. */
export function checkTextSize(text: string, what: string, maxBytes: number): void {
  // text.length ≤ bytes ≤ 3 × text.length: the exact count only when it can matter.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)) throw tooLarge(what, maxBytes);
}

/**
 * Reads a UTF-8 regular file of at most `maxBytes`; ConfigError when larger or not a regular file.
 * Reads at most maxBytes + 1 bytes whatever the file claims (a /proc file reports size 0). Other I/O
 * errors (ENOENT, EACCES) are thrown as they are, for the caller's own message.
 */
export async function readTextFileBounded(file: string, maxBytes: number, what: string): Promise<string> {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait forever for a writer. Only regular
  // files are read (checked on the open handle, so a swap after a stat cannot slip through): a FIFO,
  // socket or device (a terminal, /dev/zero) is refused at once, never waited on.
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      throw new ConfigError(`${what} is ${fileKind(st)}, not a regular file`, { hint: 'give the path of a file (a pipe, device or directory is not read)' });
    }
    if (st.size > maxBytes) throw tooLarge(what, maxBytes);
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, 64 * 1024));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge(what, maxBytes);
      chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await handle.close();
  }
}
