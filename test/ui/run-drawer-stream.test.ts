import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStreamEvents } from '../../src/sdk/run-stream.ts';
import { launchBrowser, type HeadlessBrowser } from '../helpers/browser.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { buildDashboard } from './build-dashboard.ts';

/**
 * The run drawer follows a run over its event stream (GET /api/v1/runs/{id}/stream) instead of
 * polling GET /api/v1/runs/{id}: headless chromium against a real `kairos serve`. The page's clock
 * is Playwright's, so a minute of idle time passes at once and any poll timer would fire.
 */

let dataDir: string;
let kairos: KairosProcess;
let agent: HttpAgentServer;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;
let workflowId: string;
/** Every request the page made, in order. */
const requests: Request[] = [];

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${kairos.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function create<T extends { id: string }>(path: string, body: unknown): Promise<T> {
  const response = await api<T>('POST', path, body);
  expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
  return response.body;
}

/** The page's reads of the run itself (not its stream, not the runs list). */
function runReads(runId: string): number {
  return requests.filter((r) => r.method() === 'GET' && new URL(r.url()).pathname === `/api/v1/runs/${runId}`).length;
}

/** A request the page sends after everything it sent before: once it is seen, earlier ones are too. */
async function barrier(): Promise<void> {
  const seen = page.waitForRequest((r) => r.url().endsWith('/ok?barrier'));
  await page.evaluate(() => fetch('/ok?barrier').then((r) => r.status));
  await seen;
}

async function waitingRun(): Promise<string> {
  const run = await create<{ id: string }>(`/api/v1/workflows/${workflowId}/runs`, { input: 'tides' });
  await waitFor(
    async () => (await api<{ status: string }>('GET', `/api/v1/runs/${run.id}`)).body.status === 'waiting',
    {
      timeoutMs: 20_000,
      message: 'the run parks on its approval',
    },
  );
  return run.id;
}

beforeAll(async () => {
  await buildDashboard();
  agent = await startHttpAgentServer(() => ({ body: { content: 'draft' } }));
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-run-stream-'));
  kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true' });
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(20_000);
  page.on('request', (request) => requests.push(request));
  await page.clock.install();
  const writer = await create<{ id: string }>('/api/v1/assistants', {
    name: 'writer',
    kind: 'http',
    config: { url: `${agent.url}/run` },
  });
  const workflow = await create<{ id: string }>('/api/v1/workflows', {
    name: 'publish-flow',
    steps: [
      { type: 'step', name: 'draft', assistant_id: writer.id },
      { type: 'wait', name: 'approve', approval: { prompt: 'Publish?', timeout: '1h' } },
      { type: 'step', name: 'publish', assistant_id: writer.id },
    ],
  });
  workflowId = workflow.id;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  await agent?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the run drawer over the event stream', () => {
  it('reads a waiting run once, stays quiet while nothing happens, and shows its decision and end live', async () => {
    const runId = await waitingRun();
    const streamUrl = `/api/v1/runs/${runId}/stream`;
    const streamed = page.waitForRequest((r) => new URL(r.url()).pathname === streamUrl);
    await page.goto(`${kairos.url}/#/runs/${runId}`);
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.locator('h2 .badge[data-status="waiting"]').waitFor();
    const stream = await streamed;
    expect(stream.headers()['accept']).toBe('text/event-stream');
    // The stream starts after the last event the first read saw, so it replays nothing already shown.
    const lastSeen = Number(stream.headers()['last-event-id']);
    expect(lastSeen).toBeGreaterThan(0);
    await barrier();
    // The first read, and the dashboard's one refresh once the session is known (users/me).
    const before = runReads(runId);
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThanOrEqual(2);

    // A minute passes on the page's clock: a poll (every 2 s before) would have read the run 30 times.
    await page.clock.runFor(60_000);
    await barrier();
    expect(runReads(runId)).toBe(before);

    const decided = await api('POST', `/api/v1/runs/${runId}/decision`, { approved: true, comment: 'ship it' });
    expect(decided.status).toBe(200);
    await drawer.locator('h2 .badge[data-status="success"]').waitFor();
    const tree = drawer.getByRole('list', { name: 'Workflow steps' });
    await tree.getByText('publish').waitFor();

    // Every read after the first followed an event of the stream (debounced: at most one each).
    const response = await fetch(`${kairos.url}${streamUrl}`, {
      headers: { accept: 'text/event-stream', 'last-event-id': String(lastSeen) },
    });
    const kinds: string[] = [];
    for await (const event of runStreamEvents(response.body!)) kinds.push(event.kind);
    expect(kinds.at(-1)).toBe('end');
    const triggering = kinds.filter((kind) =>
      ['status', 'node_start', 'node_end', 'wait', 'decision', 'end'].includes(kind),
    );
    await barrier();
    const reads = runReads(runId);
    expect(reads).toBeGreaterThan(before);
    expect(reads - before).toBeLessThanOrEqual(triggering.length);

    // The stream ended with the run: no reads after it, however long the drawer stays open.
    await page.clock.runFor(60_000);
    await barrier();
    expect(runReads(runId)).toBe(reads);
    await drawer.getByRole('button', { name: 'Close run details' }).click();
    await drawer.waitFor({ state: 'detached' });
    expect(browser.errors).toEqual([]);
  });

  it('aborts the stream when the drawer closes', async () => {
    const runId = await waitingRun();
    const streamUrl = `/api/v1/runs/${runId}/stream`;
    const streamed = page.waitForRequest((r) => new URL(r.url()).pathname === streamUrl);
    await page.goto(`${kairos.url}/#/runs/${runId}`);
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.locator('h2 .badge[data-status="waiting"]').waitFor();
    const stream = await streamed;
    // The response headers arrived: the stream is open, not merely requested.
    await stream.response();

    const failed = page.waitForEvent('requestfailed', (r) => r === stream);
    await drawer.getByRole('button', { name: 'Close run details' }).click();
    await drawer.waitFor({ state: 'detached' });
    expect((await failed).failure()?.errorText).toContain('ERR_ABORTED');
    const reads = runReads(runId);
    await page.clock.runFor(60_000);
    await barrier();
    expect(runReads(runId)).toBe(reads);
    expect(browser.errors).toEqual([]);
  });
  it('reconnects after a dropped stream with the last event id and still shows the end', async () => {
    const runId = await waitingRun();
    const streamUrl = `/api/v1/runs/${runId}/stream`;
    const { body } = await api<{ events: Array<{ seq: number }> }>('GET', `/api/v1/runs/${runId}`);
    const last = Math.max(...body.events.map((event) => event.seq));
    const opened: Request[] = [];
    // The first connection ends after one event without `end` (a proxy cut it); later ones reach the server.
    await page.route(`**${streamUrl}`, async (route) => {
      opened.push(route.request());
      if (opened.length > 1) return route.continue();
      const event = { kind: 'status', seq: last, at: new Date().toISOString(), status: 'waiting' };
      return route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream' },
        body: `event: status\nid: ${last}\ndata: ${JSON.stringify(event)}\n\n`,
      });
    });
    await page.goto(`${kairos.url}/#/runs/${runId}`);
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.locator('h2 .badge[data-status="waiting"]').waitFor();
    await waitFor(() => opened.length >= 2, { timeoutMs: 20_000, message: 'the drawer reconnects' });
    expect(opened[1]!.headers()['last-event-id']).toBe(String(last));
    expect(await api('POST', `/api/v1/runs/${runId}/decision`, { approved: true })).toMatchObject({ status: 200 });
    await drawer.locator('h2 .badge[data-status="success"]').waitFor();
    await page.unroute(`**${streamUrl}`);
    expect(browser.errors).toEqual([]);
  });

  it('falls back to a slow poll when the stream does not open (an older server)', async () => {
    const runId = await waitingRun();
    const streamUrl = `/api/v1/runs/${runId}/stream`;
    await page.route(`**${streamUrl}`, (route) =>
      route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":{"code":"not_found"}}' }),
    );
    await page.goto(`${kairos.url}/#/runs/${runId}`);
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.locator('h2 .badge[data-status="waiting"]').waitFor();
    expect(await api('POST', `/api/v1/runs/${runId}/decision`, { approved: true })).toMatchObject({ status: 200 });
    await waitFor(
      async () => {
        await page.clock.runFor(5_000);
        return (await drawer.locator('h2 .badge[data-status="success"]').count()) === 1;
      },
      { timeoutMs: 20_000, message: 'the poll shows the end' },
    );
    await page.unroute(`**${streamUrl}`);
  });
});
