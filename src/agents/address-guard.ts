import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Config } from '../config.ts';

/**
 * The outbound-address guard for `http` and `llm` assistants (server-side request forgery):
 * a URL whose host is, or resolves to, a loopback, private, link-local, CGNAT, unspecified,
 * multicast or reserved address is refused unless `KAIROS_HTTP_ALLOW_PRIVATE=true` or the host
 * is listed in `KAIROS_HTTP_ALLOW_HOSTS`.
 *
 * Names are checked at save time (when they resolve) and again at connect time through the
 * socket's own `lookup` hook (see {@link AddressGuard.lookup}), so the address that is checked is
 * the address that is connected to: DNS rebinding between check and connect is not possible.
 */

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", incl. 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, incl. 255.255.255.255
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::…`) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return undefined;
}

/** Why an IP address is not public, or undefined when it is. */
export function privateAddressReason(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  const v4 = family === 4 ? address : embeddedIpv4(address);
  if (v4 !== undefined) {
    if (!blocked.check(v4, 'ipv4')) return undefined;
    if (v4.startsWith('127.')) return 'a loopback address';
    if (v4.startsWith('169.254.')) return 'a link-local address';
    if (v4.startsWith('0.')) return 'an unspecified address';
    return 'a private or reserved address';
  }
  if (!blocked.check(address, 'ipv6')) return undefined;
  const lower = address.toLowerCase();
  if (lower === '::1') return 'a loopback address';
  if (lower === '::') return 'an unspecified address';
  if (/^fe[89ab]/.test(lower)) return 'a link-local address';
  return 'a private or reserved address';
}

/** Strips the brackets URL.hostname keeps around IPv6 literals. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  readonly host: string;
  readonly address: string;
  constructor(host: string, address: string, reason: string) {
    const shown = host === address ? host : `${host} (${address})`;
    super(
      `${shown} is ${reason}: Kairos refuses private, loopback and link-local destinations; ` +
        `set KAIROS_HTTP_ALLOW_PRIVATE=true or add "${host}" to KAIROS_HTTP_ALLOW_HOSTS to allow it`,
    );
    this.name = 'PrivateAddressError';
    this.host = host;
    this.address = address;
  }
}

export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const systemResolveAll: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

export interface AddressGuardOptions {
  allowPrivate: boolean;
  /** Exact host names or IPs; an entry starting with `.` or `*.` allows every subdomain. */
  allowHosts: ReadonlyArray<string>;
  /** Resolves a name to all its addresses (tests inject names that resolve to private ranges). */
  resolveAll?: ResolveAll;
}

export interface AddressGuard {
  /** Whether a host skips the check (`allowPrivate`, or listed in the allow list). */
  isAllowed(hostname: string): boolean;
  /**
   * Throws PrivateAddressError if the URL's host is a private address, or a name that resolves
   * to one. A name that does not resolve passes (it is checked again at connect time).
   */
  checkUrl(url: URL): Promise<void>;
  /** A `lookup` for `http.request`/`net.connect` that refuses private results for `hostname`. */
  lookup(hostname: string): LookupFunction | undefined;
}

export function createAddressGuard(options: AddressGuardOptions): AddressGuard {
  const allowHosts = options.allowHosts.map((entry) => bareHost(entry.trim().toLowerCase())).filter(Boolean);
  const resolveAll = options.resolveAll ?? systemResolveAll;

  const isAllowed = (hostname: string): boolean => {
    if (options.allowPrivate) return true;
    const host = bareHost(hostname.toLowerCase()).replace(/\.$/, '');
    return allowHosts.some((entry) => {
      if (entry.startsWith('*.')) return host.endsWith(entry.slice(1));
      if (entry.startsWith('.')) return host.endsWith(entry);
      return host === entry;
    });
  };

  const assertPublic = (host: string, addresses: ReadonlyArray<{ address: string }>): void => {
    for (const { address } of addresses) {
      const reason = privateAddressReason(address);
      if (reason) throw new PrivateAddressError(host, address, reason);
    }
  };

  return {
    isAllowed,
    async checkUrl(url) {
      const host = bareHost(url.hostname);
      if (isAllowed(host)) return;
      if (isIP(host)) return assertPublic(host, [{ address: host }]);
      let addresses: LookupAddress[];
      try {
        addresses = await resolveAll(host);
      } catch {
        return; // unresolvable now; the connect-time lookup decides
      }
      assertPublic(host, addresses);
    },
    lookup(hostname) {
      const host = bareHost(hostname);
      if (isAllowed(host)) return options.resolveAll ? pinnedLookup(resolveAll, () => {}) : undefined;
      return pinnedLookup(resolveAll, (addresses) => assertPublic(host, addresses));
    },
  };
}

/** A LookupFunction over `resolveAll` that lets `check` veto the result before the socket connects. */
function pinnedLookup(resolveAll: ResolveAll, check: (addresses: LookupAddress[]) => void): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname).then(
      (found) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = family === 0 ? found : found.filter((entry) => entry.family === family);
        try {
          check(addresses);
        } catch (error) {
          return callback(error as NodeJS.ErrnoException, '', 0);
        }
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = 'ENOTFOUND';
          return callback(error, '', 0);
        }
        if (options.all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** The guard as configured by `KAIROS_HTTP_ALLOW_PRIVATE` and `KAIROS_HTTP_ALLOW_HOSTS`. */
export function addressGuardFromConfig(config: Pick<Config, 'http'>, resolveAll?: ResolveAll): AddressGuard {
  return createAddressGuard({ allowPrivate: config.http.allowPrivate, allowHosts: config.http.allowHosts, resolveAll });
}

/**
 * The guard from the process environment alone, for callers that hold no Config (the same
 * variables, the same meaning: KAIROS_HTTP_ALLOW_PRIVATE, KAIROS_HTTP_ALLOW_HOSTS).
 */
export function addressGuardFromEnvironment(env: Record<string, string | undefined> = process.env): AddressGuard {
  const allowPrivate = ['true', '1', 'yes'].includes((env.KAIROS_HTTP_ALLOW_PRIVATE ?? '').trim().toLowerCase());
  const allowHosts = (env.KAIROS_HTTP_ALLOW_HOSTS ?? '')
    .split(',')
    .map((host) => host.trim())
    .filter(Boolean);
  return createAddressGuard({ allowPrivate, allowHosts });
}
