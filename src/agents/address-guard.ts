import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Config } from '../config.ts';

/**
 * The outbound-address guard for `http` and `llm` assistants (server-side request forgery):
 * a URL whose host is, or resolves to, a loopback, private, link-local, CGNAT, unspecified,
 * multicast or reserved address is refused unless `KAIROS_HTTP_ALLOW_PRIVATE=true` or the host
 * is listed in `KAIROS_HTTP_ALLOW_HOSTS`. In local mode (a loopback server, no API keys: one
 * person on their own machine) loopback destinations are allowed. Cloud metadata endpoints
 * (169.254.169.254, fd00:ec2::254, metadata.google.internal, …) are refused always, whatever
 * the settings: they hand out the machine's credentials.
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

/** Cloud instance-metadata endpoints (AWS, ECS, EKS, GCP, Azure, Alibaba, Oracle, OpenStack). */
const metadataAddresses = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '169.254.170.23',
  'fd00:ec2::254',
  'fd00:ec2::23',
  '100.100.100.200',
  '192.0.0.192',
]);
const metadataNames = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

/** Whether an address or a host name is a cloud metadata endpoint, refused whatever the settings. */
export function isMetadataEndpoint(hostOrAddress: string): boolean {
  const lower = bareHost(hostOrAddress.toLowerCase()).replace(/\.$/, '');
  if (metadataNames.has(lower)) return true;
  const v4 = isIP(lower) === 6 ? (embeddedIpv4(lower) ?? lower) : lower;
  if (metadataAddresses.has(v4)) return true;
  if (isIP(lower) === 6) {
    // Compare canonical IPv6 spellings (fd00:ec2:0::254 is fd00:ec2::254).
    const canonical = new URL(`http://[${lower}]/`).hostname.slice(1, -1);
    return metadataAddresses.has(canonical);
  }
  return false;
}

/** Whether an address is loopback (127.0.0.0/8, ::1, or one mapped into IPv6). */
function isLoopbackAddress(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::1') return true;
  const v4 = isIP(lower) === 6 ? embeddedIpv4(lower) : lower;
  return v4 !== undefined && isIP(v4) === 4 && v4.startsWith('127.');
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
      reason === 'a cloud metadata endpoint'
        ? `${shown} is ${reason}: Kairos never calls it, whatever the settings (it hands out the machine's credentials)`
        : `${shown} is ${reason}: Kairos refuses private, loopback and link-local destinations; ` +
            `add "${host}" to KAIROS_HTTP_ALLOW_HOSTS and restart Kairos to allow it` +
            (reason === 'a loopback address'
              ? ' (loopback is allowed in local mode: a loopback server with no API keys)'
              : ''),
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
  /** Whether the server is in local mode now, where loopback destinations are allowed. */
  localMode?: () => Promise<boolean>;
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
  const localMode = options.localMode ?? (async () => false);

  const isAllowed = (hostname: string): boolean => {
    if (isMetadataEndpoint(hostname)) return false;
    if (options.allowPrivate) return true;
    const host = bareHost(hostname.toLowerCase()).replace(/\.$/, '');
    return allowHosts.some((entry) => {
      if (entry.startsWith('*.')) return host.endsWith(entry.slice(1));
      if (entry.startsWith('.')) return host.endsWith(entry);
      return host === entry;
    });
  };

  /** Refuses metadata endpoints always; the rest unless allowed (or loopback in local mode). */
  const assertAllowed = async (
    host: string,
    addresses: ReadonlyArray<{ address: string }>,
    allowed: boolean,
  ): Promise<void> => {
    for (const { address } of addresses) {
      if (isMetadataEndpoint(host) || isMetadataEndpoint(address))
        throw new PrivateAddressError(host, address, 'a cloud metadata endpoint');
    }
    if (allowed) return;
    for (const { address } of addresses) {
      const reason = privateAddressReason(address);
      if (!reason) continue;
      if (isLoopbackAddress(address) && (await localMode())) continue;
      throw new PrivateAddressError(host, address, reason);
    }
  };

  return {
    isAllowed,
    async checkUrl(url) {
      const host = bareHost(url.hostname);
      if (isMetadataEndpoint(host)) throw new PrivateAddressError(host, host, 'a cloud metadata endpoint');
      const allowed = isAllowed(host);
      if (isIP(host)) return assertAllowed(host, [{ address: host }], allowed);
      let addresses: LookupAddress[];
      try {
        addresses = await resolveAll(host);
      } catch {
        return; // unresolvable now; the connect-time lookup decides
      }
      await assertAllowed(host, addresses, allowed);
    },
    lookup(hostname) {
      const host = bareHost(hostname);
      const allowed = isAllowed(host);
      return pinnedLookup(resolveAll, (addresses) => assertAllowed(host, addresses, allowed));
    },
  };
}

/** A LookupFunction over `resolveAll` that lets `check` veto the result before the socket connects. */
function pinnedLookup(resolveAll: ResolveAll, check: (addresses: LookupAddress[]) => Promise<void>): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname).then(
      async (found) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = family === 0 ? found : found.filter((entry) => entry.family === family);
        try {
          await check(addresses);
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

/**
 * The guard as configured by `KAIROS_HTTP_ALLOW_PRIVATE` and `KAIROS_HTTP_ALLOW_HOSTS`; given
 * `localMode` (see src/auth/local-mode.ts), loopback destinations are allowed while it holds.
 */
export function addressGuardFromConfig(
  config: Pick<Config, 'http'>,
  resolveAll?: ResolveAll,
  localMode?: () => Promise<boolean>,
): AddressGuard {
  return createAddressGuard({
    allowPrivate: config.http.allowPrivate,
    allowHosts: config.http.allowHosts,
    resolveAll,
    ...(localMode && { localMode }),
  });
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
