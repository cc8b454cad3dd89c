import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHarness, type ApiHarness } from './harness.ts';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown> };
}

describe('OpenAPI document, docs and metrics', () => {
  let h: ApiHarness;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    h = await createApiHarness('pglite', {}, { services: true });
    doc = (await (await h.call('GET', '/api/v1/openapi.json')).json()) as OpenApiDocument;
  });
  afterAll(() => h.close());

  it('is OpenAPI 3.1 and documents every route the app serves', () => {
    expect(doc.openapi).toBe('3.1.0');
    const served = h.app.routes
      .filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method.toLowerCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    const undocumented = served.filter(
      (route) =>
        !documented.includes(route) &&
        !['get /api/v1/openapi.json', 'get /api/docs'].includes(route) &&
        !route.startsWith('get /api/docs/assets/'),
    );
    expect(undocumented).toEqual([]);
    expect(documented).toEqual(
      expect.arrayContaining([
        'get /api/v1/users/me',
        'delete /api/v1/keys/{id}',
        'get /metrics',
        'post /api/v1/assistants',
        'get /api/v1/threads/{id}',
        'post /api/v1/runs',
        'post /api/v1/runs/{id}/cancel',
      ]),
    );
  });

  it('declares key auth on the API routes and documents their errors', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKeyHeader', 'bearerAuth']);
    const create = doc.paths['/api/v1/users']!.post!;
    expect(create.security).toEqual([{ bearerAuth: [] }, { apiKeyHeader: [] }]);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '401', '403', '409', '413', '422']));
    expect(doc.paths['/healthz']!.get!.security).toBeUndefined();
  });

  it('serves Prometheus metrics, counting requests and what the engine records', async () => {
    h.metrics.fires.inc();
    h.metrics.fireLag.observe(12);
    h.metrics.runs.inc({ status: 'success' });
    h.metrics.busySlots.set(3);
    h.metrics.claimBatchSize.observe(7);
    await h.call('GET', '/api/v1/users/me');
    await h.call('GET', '/no/such/route/1');
    await h.call('GET', '/no/such/route/2');
    const response = await h.call('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(/^kairos_fires_total 1$/m);
    expect(text).toMatch(/^kairos_fire_lag_ms_count 1$/m);
    expect(text).toMatch(/^kairos_runs_total\{status="success"\} 1$/m);
    expect(text).toMatch(/^kairos_worker_slots_busy 3$/m);
    expect(text).toMatch(/^kairos_claim_batch_size_sum 7$/m);
    expect(text).toMatch(/^kairos_http_requests_total\{method="GET",route="\/api\/v1\/users\/me",status="200"\} 1$/m);
    expect(text).toMatch(/^kairos_http_requests_total\{method="GET",route="unmatched",status="404"\} 2$/m);
  });

  it('keeps each instance’s metrics apart', async () => {
    const other = await createApiHarness('pglite');
    try {
      const text = await (await other.call('GET', '/metrics')).text();
      expect(text).toMatch(/^kairos_fires_total 0$/m);
    } finally {
      await other.close();
    }
  });
});

describe('API docs without internet', () => {
  let docs: ApiHarness;
  beforeAll(async () => {
    docs = await createApiHarness('postgres');
  });
  afterAll(() => docs.close());

  it('serves interactive docs at /api/docs with every script and style from this server (no CDN), keyless', async () => {
    await docs.caller('admin'); // keys exist: not local mode, yet the docs and their assets need none
    const response = await docs.call('GET', '/api/docs');
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('id="swagger-ui"');
    expect(html).toContain('data-url="/api/v1/openapi.json"');
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(references).toEqual([
      '/api/docs/assets/favicon-32x32.png',
      '/api/docs/assets/swagger-ui.css',
      '/api/docs/assets/swagger-ui-bundle.js',
      '/api/docs/assets/init.js',
    ]);
    for (const reference of references) {
      const asset = await docs.call('GET', reference);
      expect(asset.status, reference).toBe(200);
      const body = await asset.text();
      if (reference.endsWith('.js')) {
        expect(asset.headers.get('content-type'), reference).toMatch(/^text\/javascript/);
        expect(body, reference).toContain('SwaggerUIBundle');
      }
      if (reference.endsWith('.css')) expect(body).toContain('.swagger-ui');
    }
    expect((await docs.call('GET', '/api/docs/assets/package.json')).status).toBe(404);
    expect((await docs.call('GET', '/api/docs/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });
});
