import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountDashboard } from '../../src/api/dashboard.ts';

/** mountDashboard in process: content types, cache headers, the index.html fallback, and what it must never shadow. */

let parent: string;
let dist: string;
let app: Hono;

beforeAll(() => {
  parent = mkdtempSync(join(tmpdir(), 'kairos-dist-'));
  dist = join(parent, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Kairos</title><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
  writeFileSync(join(parent, 'kairos-secret.txt'), 'secret');
  app = new Hono();
  app.get('/api/v1/ping', (c) => c.json({ pong: true }));
  app.get('/runs/search', (c) => c.json({ langgraph: true }));
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${c.req.path}` } }, 404),
  );
  mountDashboard(app, dist);
});

afterAll(() => rmSync(parent, { recursive: true, force: true }));

const html = { accept: 'text/html,application/xhtml+xml' };

describe('mountDashboard', () => {
  it('serves index.html at / with no-cache and a content security policy', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<div id="root">');
  });

  it('serves hashed assets with their type, cached for a year', async () => {
    const js = await app.request('/assets/index-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await app.request('/assets/index-abc123.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const head = await app.request('/assets/index-abc123.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers client-side routes with index.html, but only for HTML requests', async () => {
    const page = await app.request('/schedules/123', { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const json = await app.request('/schedules/123', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    const missingAsset = await app.request('/assets/gone.js', { headers: html });
    expect(missingAsset.status).toBe(404);
  });

  it('never shadows the API, health, metrics or the LangGraph routes', async () => {
    expect(await (await app.request('/api/v1/ping', { headers: html })).json()).toEqual({ pong: true });
    expect(await (await app.request('/runs/search', { headers: html })).json()).toEqual({ langgraph: true });
    for (const path of ['/api/v1/nope', '/healthz', '/metrics', '/assistants', '/threads/x', '/runs/x/y']) {
      const res = await app.request(path, { headers: html });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('application/json');
    }
    const post = await app.request('/', { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it('does not serve files outside the build directory', async () => {
    for (const path of ['/../kairos-secret.txt', '/%2e%2e/kairos-secret.txt', '/assets/..%2f..%2fkairos-secret.txt']) {
      const res = await app.request(path);
      expect(await res.text(), path).not.toBe('secret');
    }
  });

  it('explains how to build when there is no build', async () => {
    const bare = new Hono();
    mountDashboard(bare, join(dist, 'missing'));
    const res = await bare.request('/');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:ui');
  });
});
