/**
 * Where may httpbench send load? Only http(s) URLs, and only to loopback unless the user opts in:
 * a load generator pointed at someone else's host by a typo is a denial-of-service tool.
 *
 * The guard judges addresses, never names: a hosts-file or DNS entry can map any name (even
 * `evil.localhost`) to any address. The host is resolved once, every address must be loopback, and
 * the caller connects to the address that was checked (`GuardedUrl.address`), so a second lookup
 * (DNS rebinding) cannot send the load elsewhere.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import net from 'node:net';
import { ConfigError } from '../errors.ts';
import { acceptsTcp } from '../util/tcp.ts';

/** Resolves a host name to all its addresses (dns.lookup semantics: hosts file, then DNS). */
export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The 8 16-bit groups of an IPv6 address (with an embedded dotted IPv4 tail, as `::ffff:1.2.3.4`). */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const bytes = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, v4.index)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<number>(Math.max(0, fill)).fill(0), ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * True for an IP literal in 127.0.0.0/8, ::1, or IPv4-mapped loopback (::ffff:127.x.y.z, which the
 * URL parser writes as ::ffff:7f00:1). Names are never loopback here: resolve them first.
 */
export function isLoopbackAddress(address: string): boolean {
  const ip = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (net.isIPv4(ip)) return ip.split('.')[0] === '127';
  if (!net.isIPv6(ip)) return false;
  const g = ipv6Groups(ip.replace(/%.*$/, ''));
  if (!g) return false;
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeros(7) && g[7] === 1) return true;
  return zeros(5) && g[5] === 0xffff && g[6]! >> 8 === 127;
}

/**
 * Parses a load target URL; returns it parsed. Throws ConfigError (exit 2) with a hint for a
 * malformed URL, a scheme other than http/https, or credentials. Says nothing about the host:
 * `guardLoadUrl` decides that by address.
 */
export function checkLoadUrl(raw: string): URL {
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
  return url;
}

export interface GuardedUrl {
  url: URL;
  /** The IP address that was checked; connect here (and keep the URL's host as the Host header). */
  address: string;
  /** Every address the host resolved to (the IP itself for a literal). */
  addresses: string[];
}

/**
 * Checks the URL (`checkLoadUrl`), resolves its host and, unless `allowRemote`, requires every
 * address to be loopback — one remote address is enough to refuse, since which one a client picks is
 * not ours to decide. ConfigError (exit 2) when refused or unresolvable; nothing is sent either way.
 */
export async function guardLoadUrl(
  raw: string,
  options: { allowRemote?: boolean; resolve?: Resolver; /** Addresses the scenario names as a target host (two-host runs). */ allowAddresses?: readonly string[] } = {},
): Promise<GuardedUrl> {
  const url = checkLoadUrl(raw);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (net.isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await (options.resolve ?? systemResolver)(host)).map((a) => a.address);
    } catch (error) {
      throw new ConfigError(`cannot resolve ${host} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
        cause: error,
        hint: 'use an IP address such as 127.0.0.1, or a name in /etc/hosts',
      });
    }
    if (addresses.length === 0) throw new ConfigError(`cannot resolve ${host}: no addresses`, { hint: 'use an IP address such as 127.0.0.1' });
  }
  const remote = addresses.filter((a) => !isLoopbackAddress(a) && !(options.allowAddresses ?? []).includes(a));
  if (!options.allowRemote && remote.length > 0) {
    const via = net.isIP(host) ? '' : ` (${host} resolves to ${remote.join(', ')})`;
    throw new ConfigError(`refusing to send load to ${host}: not a loopback address${via}`, {
      hint: 'benchmark a service on 127.0.0.1 or ::1 (or a name that resolves only there), or pass --allow-remote if you own the host and mean it',
    });
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return { url, address: await firstListening(addresses, port), addresses };
}

/** How long one probe connection may take; a listening loopback port answers in microseconds. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * With several checked addresses (localhost → ::1 and 127.0.0.1), the first that accepts a TCP
 * connection on `port` — a client connecting by name would try each in turn, and a server often listens
 * on only one family. Only checked addresses are probed; none listening → the first (the load then
 * reports connection errors as it would have).
 */
async function firstListening(addresses: string[], port: number): Promise<string> {
  if (addresses.length === 1) return addresses[0]!;
  for (const address of addresses) {
    if (await acceptsTcp(address, port, PROBE_TIMEOUT_MS)) return address;
  }
  return addresses[0]!;
}
