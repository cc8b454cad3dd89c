import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AddressGuard } from './address-guard.ts';

/**
 * Keep-alive connection pools for outbound requests, one per address guard and protocol (a new TCP
 * (and TLS) connection per run cost more than the rest of a run). Node pools sockets per host and
 * port, so a pooled socket is reused only for the host it was opened for, and only under the guard
 * whose `lookup` checked the address it connected to: a socket is checked once, when it connects.
 *
 * Idle sockets are closed after {@link idleSocketMs} (below the 5 s that many servers keep an idle
 * connection open, so that a reused socket is rarely one the server is closing); the server's
 * `Keep-Alive: timeout=` hint, when shorter, wins. Idle sockets do not keep the process alive.
 */
const idleSocketMs = 4000;

interface Pools {
  http: HttpAgent;
  https: HttpsAgent;
}

const pools = new WeakMap<AddressGuard, Pools>();

export function outboundAgent(guard: AddressGuard, protocol: string): HttpAgent {
  let entry = pools.get(guard);
  if (!entry) {
    const options = { keepAlive: true, timeout: idleSocketMs, maxFreeSockets: 1024, scheduling: 'lifo' as const };
    entry = { http: new HttpAgent(options), https: new HttpsAgent(options) };
    pools.set(guard, entry);
  }
  return protocol === 'https:' ? entry.https : entry.http;
}
