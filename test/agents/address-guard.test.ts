import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAddressGuard, privateAddressReason, type ResolveAll } from '../../src/agents/address-guard.ts';
import { httpAssistantRuntime } from '../../src/agents/http-assistant.ts';
import type { Assistant, RunContext } from '../../src/agents/runtime.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { silentLogger } from './fixtures.ts';
import { RunFailure } from '../../src/runs/run-failure.ts';

/** A resolver with fixed answers, so names can resolve to private ranges in tests. */
function fixedResolver(table: Record<string, string[]>): ResolveAll {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const names = fixedResolver({
  'internal.example': ['10.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'loop6.example': ['::1'],
  'mixed.example': ['93.184.216.34', '192.168.1.10'],
  'public.example': ['93.184.216.34'],
});

describe('privateAddressReason', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['10.0.0.1', 'a private or reserved address'],
    ['172.16.0.1', 'a private or reserved address'],
    ['172.31.255.255', 'a private or reserved address'],
    ['192.168.1.1', 'a private or reserved address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a private or reserved address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fc00::1', 'a private or reserved address'],
    ['fd12:3456::1', 'a private or reserved address'],
    ['fe80::1', 'a link-local address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::ffff:10.0.0.1', 'a private or reserved address'],
    ['::ffff:a9fe:a9fe', 'a link-local address'],
  ])('%s is %s', (address, reason) => {
    expect(privateAddressReason(address)).toBe(reason);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(privateAddressReason(address)).toBeUndefined();
    },
  );
});

describe('the guard at save time', () => {
  const guard = createAddressGuard({ allowPrivate: false, allowHosts: [], resolveAll: names });

  it.each(['http://127.0.0.1/agent', 'http://10.0.0.1:8080/', 'http://[::1]:7700/x'])(
    'refuses the literal %s and says how to allow it (never by opening every private address)',
    async (url) => {
      await expect(guard.checkUrl(new URL(url))).rejects.toThrow(
        /add ".*" to KAIROS_HTTP_ALLOW_HOSTS and restart Kairos/,
      );
      await expect(guard.checkUrl(new URL(url))).rejects.not.toThrow(/KAIROS_HTTP_ALLOW_PRIVATE/);
    },
  );

  it.each([
    ['http://internal.example/', '10.0.0.1'],
    ['https://metadata.example/', '169.254.169.254'],
    ['http://loop6.example/', '::1'],
    ['http://mixed.example/', '192.168.1.10'],
  ])('refuses %s, which resolves to %s', async (url, address) => {
    await expect(guard.checkUrl(new URL(url))).rejects.toThrow(address);
  });

  it('refuses localhost through the system resolver', async () => {
    const system = createAddressGuard({ allowPrivate: false, allowHosts: [] });
    await expect(system.checkUrl(new URL('http://localhost:9/'))).rejects.toThrow(
      /localhost \((127\.0\.0\.1|::1)\) is a loopback address/,
    );
  });

  it('accepts public addresses and names, and names that do not resolve yet', async () => {
    await expect(guard.checkUrl(new URL('http://93.184.216.34/'))).resolves.toBeUndefined();
    await expect(guard.checkUrl(new URL('https://public.example/v1'))).resolves.toBeUndefined();
    await expect(guard.checkUrl(new URL('https://not-yet.example/'))).resolves.toBeUndefined();
  });

  it('allows everything with allowPrivate, and listed hosts with allowHosts', async () => {
    const open = createAddressGuard({ allowPrivate: true, allowHosts: [], resolveAll: names });
    await expect(open.checkUrl(new URL('http://10.0.0.1/'))).resolves.toBeUndefined();
    await expect(open.checkUrl(new URL('http://[::1]:8000/'))).resolves.toBeUndefined();
    const listed = createAddressGuard({
      allowPrivate: false,
      allowHosts: ['127.0.0.1', '::1', '.example'],
      resolveAll: names,
    });
    await expect(listed.checkUrl(new URL('http://127.0.0.1:8000/'))).resolves.toBeUndefined();
    await expect(listed.checkUrl(new URL('http://[::1]:8000/'))).resolves.toBeUndefined();
    await expect(listed.checkUrl(new URL('http://internal.example/'))).resolves.toBeUndefined();
    await expect(listed.checkUrl(new URL('http://10.0.0.1/'))).rejects.toThrow(/private/);
  });
});

describe('cloud metadata endpoints and local mode', () => {
  const metadata = 'is a cloud metadata endpoint: Kairos never calls it, whatever the settings';

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[fd00:ec2:0::254]/',
    'http://[::ffff:169.254.169.254]/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://100.100.100.200/latest/meta-data/',
  ])('refuses %s even with allowPrivate, allowHosts listing it, and in local mode', async (url) => {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    const open = createAddressGuard({
      allowPrivate: true,
      allowHosts: [host, '*.internal'],
      resolveAll: names,
      localMode: async () => true,
    });
    await expect(open.checkUrl(new URL(url))).rejects.toThrow(metadata);
    expect(open.isAllowed(host)).toBe(false);
  });

  it('refuses a name that resolves to a metadata address, at save time and at connect time', async () => {
    const open = createAddressGuard({ allowPrivate: true, allowHosts: [], resolveAll: names });
    await expect(open.checkUrl(new URL('https://metadata.example/'))).rejects.toThrow(
      `metadata.example (169.254.169.254) ${metadata}`,
    );
    const lookup = open.lookup('metadata.example')!;
    const error = await new Promise<Error | null>((resolve) => lookup('metadata.example', {}, (e) => resolve(e)));
    expect(error?.message).toContain(metadata);
  });

  it('allows loopback agents in local mode, and nothing else private', async () => {
    let local = true;
    const guard = createAddressGuard({ allowPrivate: false, allowHosts: [], localMode: async () => local });
    await expect(guard.checkUrl(new URL('http://127.0.0.1:8000/agent'))).resolves.toBeUndefined();
    await expect(guard.checkUrl(new URL('http://[::1]:8000/agent'))).resolves.toBeUndefined();
    await expect(guard.checkUrl(new URL('http://localhost:8000/agent'))).resolves.toBeUndefined();
    await expect(guard.checkUrl(new URL('http://10.0.0.1/'))).rejects.toThrow(/private/);
    local = false;
    await expect(guard.checkUrl(new URL('http://127.0.0.1:8000/agent'))).rejects.toThrow(
      '127.0.0.1 is a loopback address: Kairos refuses private, loopback and link-local destinations; ' +
        'add "127.0.0.1" to KAIROS_HTTP_ALLOW_HOSTS and restart Kairos to allow it ' +
        '(loopback is allowed in local mode: a loopback server with no API keys)',
    );
  });
});

describe('the guard at call time', () => {
  let agent: HttpAgentServer;
  beforeAll(async () => {
    agent = await startHttpAgentServer();
  });
  afterAll(async () => {
    await agent.close();
  });

  const assistant = (url: string): Assistant => ({
    id: '00000000-0000-0000-0000-0000000000aa',
    ownerId: '00000000-0000-0000-0000-000000000001',
    name: 'guarded',
    kind: 'http',
    config: { url },
    status: 'active',
    graphId: null,
    description: null,
    builtIn: false,
    maxConcurrent: null,
    rateLimit: null,
    metadata: {},
    version: 1,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const context = (): RunContext => ({
    runId: '00000000-0000-0000-0000-0000000000bb',
    scheduleId: null,
    scheduledFor: null,
    trigger: 'api',
    runNumber: null,
    attempt: 1,
    threadId: null,
    input: 'hi',
    history: [],
    signal: new AbortController().signal,
    logger: silentLogger,
    emit: async () => {},
  });

  async function failure(promise: Promise<unknown>): Promise<RunFailure> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RunFailure);
    return error as RunFailure;
  }

  it('refuses a loopback literal before connecting: a config failure, and the agent sees nothing', async () => {
    const before = agent.requests.length;
    const runtime = httpAssistantRuntime({ guard: createAddressGuard({ allowPrivate: false, allowHosts: [] }) });
    const error = await failure(runtime.run(assistant(`${agent.url}/run`), context()));
    expect(error.kind).toBe('config');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('127.0.0.1 is a loopback address');
    expect(agent.requests.length).toBe(before);
  });

  it('refuses a name whose address changed to a private one after it was saved (rebinding)', async () => {
    let answer = '93.184.216.34';
    const rebinding: ResolveAll = async () => [{ address: answer, family: 4 }];
    const guard = createAddressGuard({ allowPrivate: false, allowHosts: [], resolveAll: rebinding });
    await guard.checkUrl(new URL(`http://rebind.example:${agent.port}/`)); // passes at save time
    answer = '127.0.0.1';
    const before = agent.requests.length;
    const error = await failure(
      httpAssistantRuntime({ guard }).run(assistant(`http://rebind.example:${agent.port}/run`), context()),
    );
    expect(error.kind).toBe('config');
    expect(error.message).toContain('rebind.example (127.0.0.1) is a loopback address');
    expect(agent.requests.length).toBe(before);
  });

  it('connects to the checked address when the host is allowed', async () => {
    const guard = createAddressGuard({
      allowPrivate: false,
      allowHosts: ['agent.test'],
      resolveAll: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    const result = await httpAssistantRuntime({ guard }).run(
      assistant(`http://agent.test:${agent.port}/run`),
      context(),
    );
    expect(result.output).toEqual({ ok: true, echo: 'hi' });
    expect(agent.requests.at(-1)?.headers.host).toBe(`agent.test:${agent.port}`);
  });
});
