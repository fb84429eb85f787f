/**
 * Where may httpbench send load? Only http(s) URLs, and only to loopback unless the user opts in:
 * a load generator pointed at someone else's host by a typo is a denial-of-service tool.
 */
import net from 'node:net';
import { ConfigError } from '../errors.ts';

/** True for 127.0.0.0/8, ::1 (and its IPv4-mapped form ::ffff:127.x.y.z) and the name localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) {
    if (host === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(host)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    return mapped !== null && mapped[1]!.startsWith('127.');
  }
  return false;
}

/**
 * Parses and checks a load target URL; returns it parsed. Throws ConfigError (exit 2) with a hint
 * for a malformed URL, a scheme other than http/https, or a non-loopback host without `allowRemote`.
 */
export function checkLoadUrl(raw: string, options: { allowRemote?: boolean } = {}): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (error) {
    throw new ConfigError(`"${raw}" is not a URL`, { hint: 'give a full URL such as http://127.0.0.1:8000/users/1', cause: error });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`unsupported URL scheme "${url.protocol.replace(/:$/, '')}" in ${raw}`, { hint: 'only http:// and https:// URLs can be load-tested' });
  }
  if (url.username || url.password) {
    throw new ConfigError('credentials in the URL are not supported', { hint: 'remove user:password@ from the URL' });
  }
  if (!options.allowRemote && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(`refusing to send load to ${url.hostname}: not a loopback address`, {
      hint: 'benchmark a service on 127.0.0.1, ::1 or localhost, or pass --allow-remote if you own the host and mean it',
    });
  }
  return url;
}
