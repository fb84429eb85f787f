import { describe, expect, it } from 'vitest';
import { chooseDatabaseImage, databaseUrl, postgresCommand, redactUrl, STAND_IN_POSTGRES_IMAGE } from '../../../src/targets/postgres.ts';

describe('the database container, pure parts', () => {
  it('runs the official image when present, else its stand-in; another image only as given', () => {
    const has = (...tags: string[]) => (t: string) => tags.includes(t);
    expect(chooseDatabaseImage('postgres:17', has('postgres:17', STAND_IN_POSTGRES_IMAGE))).toEqual({ tag: 'postgres:17', source: 'official' });
    expect(chooseDatabaseImage('postgres:17', has(STAND_IN_POSTGRES_IMAGE))).toEqual({ tag: STAND_IN_POSTGRES_IMAGE, source: 'stand-in' });
    expect(chooseDatabaseImage('postgres:16', has('postgres:16'))).toEqual({ tag: 'postgres:16', source: 'override' });
    expect(chooseDatabaseImage('postgres:16', has(STAND_IN_POSTGRES_IMAGE))).toBeNull();
    expect(chooseDatabaseImage('postgres:17', has())).toBeNull();
  });
  it('binds 127.0.0.1 on the given port without a Unix socket, then the scenario settings, as -c pairs', () => {
    const cmd = postgresCommand(5433, { max_connections: '200', shared_buffers: '64MB' });
    expect(cmd.slice(0, 2)).toEqual(['sh', '-c']);
    expect(cmd[2]).toContain('initdb -D /pgtmp/data -U httpbench --pwfile=/pgtmp/pwfile --auth=scram-sha-256');
    expect(cmd[2]).toContain('exec postgres -D /pgtmp/data "$@"');
    expect(cmd.slice(3)).toEqual([
      'postgres',
      '-c', 'listen_addresses=127.0.0.1', '-c', 'port=5433', '-c', 'unix_socket_directories=',
      '-c', 'max_connections=200', '-c', 'shared_buffers=64MB',
    ]);
  });
  it('builds the URL with the password, and redacts it for messages', () => {
    const url = databaseUrl(5433, 'pw-1');
    expect(url).toBe('postgresql://httpbench:pw-1@127.0.0.1:5433/postgres');
    expect(redactUrl(`cannot connect to ${url}`)).toBe('cannot connect to postgresql://httpbench:***@127.0.0.1:5433/postgres');
  });
});
