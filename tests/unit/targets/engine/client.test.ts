/**
 * The one connect-and-ping path (issue 21): a ping that does not answer in time rejects with the
 * deadline, and each caller turns that into its own error: this machine's engine (exit 3, `setup`)
 * or an engine the user named (exit 2, its display without credentials).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../src/errors.ts';
import { connectEngine, pingWithin } from '../../../../src/targets/engine/client.ts';
import { engineOptions } from '../../../../src/targets/engine/endpoint.ts';

describe('pingWithin', () => {
  it('resolves on an answer and rejects naming the deadline when none comes', async () => {
    await expect(pingWithin({ ping: async () => 'OK' } as never, 1000)).resolves.toBeUndefined();
    await expect(pingWithin({ ping: () => new Promise(() => {}) } as never, 20)).rejects.toThrow('no answer within 20 ms');
  });
});

describe('connectEngine', () => {
  it('turns an unreachable named engine into bad input naming it without its password', async () => {
    // A unix socket that does not exist: refused at once, no network involved.
    const endpoint = engineOptions('unix:///nonexistent/httpbench-test.sock');
    const error = await connectEngine(endpoint, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('unix:///nonexistent/httpbench-test.sock');
    const redacted = await connectEngine(engineOptions('tcp://user:secret@127.0.0.1:1'), 2000).catch((e: unknown) => e);
    expect((redacted as Error).message).toContain('tcp://127.0.0.1:1');
    expect((redacted as Error).message).not.toContain('secret');
  });
});
