import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/**
 * Workflows in the dashboard, end to end: headless Debian chromium against a real `kairos serve`,
 * with local agents: one answers at once, one holds its answer until the test releases it (so a
 * run can be watched while it runs).
 */

let dataDir: string;
let kairos: KairosProcess;
let quick: HttpAgentServer;
let held: HttpAgentServer;
let release: () => void = () => undefined;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;
const ids: Record<string, string> = {};

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

beforeAll(async () => {
  await buildDashboard();
  quick = await startHttpAgentServer((request) => ({
    body: { content: `done: ${JSON.stringify((request.body as { input?: unknown } | null)?.input ?? null)}` },
  }));
  held = await startHttpAgentServer(
    () =>
      new Promise((resolve) => {
        release = () => resolve({ body: { content: 'released' } });
      }),
  );
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-wf-'));
  kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true' });
  ids.quick = (
    await create<{ id: string }>('/api/v1/assistants', {
      name: 'quick-agent',
      kind: 'http',
      config: { url: `${quick.url}/run` },
    })
  ).id;
  ids.held = (
    await create<{ id: string }>('/api/v1/assistants', {
      name: 'held-agent',
      kind: 'http',
      config: { url: `${held.url}/run` },
    })
  ).id;
  ids.pipeline = (
    await create<{ id: string }>('/api/v1/workflows', {
      name: 'pipeline',
      description: 'research, fan out, polish',
      steps: [
        { type: 'step', name: 'research', assistant_id: ids.quick },
        {
          type: 'parallel',
          name: 'fan-out',
          steps: [
            { type: 'step', name: 'left', assistant_id: ids.quick },
            { type: 'step', name: 'right', assistant_id: ids.quick },
          ],
        },
        {
          type: 'loop',
          name: 'polish',
          max_iterations: 2,
          steps: [{ type: 'step', name: 'edit', assistant_id: ids.quick }],
        },
      ],
    })
  ).id;
  ids.slow = (
    await create<{ id: string }>('/api/v1/workflows', {
      name: 'slow-pipeline',
      steps: [
        { type: 'step', name: 'first', assistant_id: ids.quick },
        { type: 'step', name: 'wait-here', assistant_id: ids.held },
        { type: 'step', name: 'last', assistant_id: ids.quick },
      ],
    })
  ).id;
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(20_000);
}, 120_000);

afterAll(async () => {
  release();
  await browser?.close();
  await kairos?.stop();
  await quick?.close();
  await held?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const node = (key: string) => page.locator(`.step-tree li[data-step="${key}"]`);

describe('workflows in the dashboard', () => {
  it('lists workflows and draws a definition as a graph with its groups', async () => {
    await page.goto(`${kairos.url}/#/workflows`);
    await page.getByRole('heading', { name: 'Workflows', level: 1 }).waitFor();
    await page.locator('tr[data-workflow="pipeline"]').getByRole('link', { name: 'pipeline' }).click();
    await page.getByRole('heading', { name: 'pipeline', level: 1 }).waitFor();
    const graph = page.getByRole('group', { name: 'Workflow graph' });
    await graph.waitFor();
    const fanOut = graph.locator('[data-node="fan-out"][data-type="parallel"]');
    expect(
      await fanOut.locator('[data-type="step"]').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-node'))),
    ).toEqual(['left', 'right']);
    expect(await graph.locator('[data-node="polish"][data-type="loop"] [data-node="edit"]').count()).toBe(1);
    expect(await graph.locator('[data-node="polish"]').textContent()).toContain('up to 2 iterations');
  });

  it("runs a workflow now and shows the finished run's step tree with inputs and outputs", async () => {
    await page.getByRole('button', { name: '⚡ Run now' }).click();
    await page.getByLabel('Input').fill('{"topic": "tides"}');
    await page.getByRole('button', { name: 'Run now', exact: true }).click();
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.locator('.badge[data-status="success"]').first().waitFor();
    await drawer.locator('h2 .badge[data-status="success"]').waitFor();
    await drawer.getByRole('heading', { name: /pipeline/ }).waitFor();
    expect(await drawer.getByRole('link', { name: 'pipeline' }).count()).toBe(1);
    const tree = drawer.getByRole('list', { name: 'Workflow steps' });
    const top = await tree
      .locator(':scope > li')
      .evaluateAll((items) => items.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-status')]));
    expect(top).toEqual([
      ['steps[0]', 'success'],
      ['steps[1]', 'success'],
      ['steps[2]', 'success'],
    ]);
    // The parallel node's branches and the loop's two iterations are nested under them.
    expect(
      await node('steps[1]')
        .locator('li[data-step]')
        .evaluateAll((items) => items.map((li) => li.getAttribute('data-step'))),
    ).toEqual(['steps[1].steps[0]', 'steps[1].steps[1]']);
    const loopChildren = node('steps[2]').locator('li[data-step]');
    expect(await loopChildren.count()).toBe(2);
    expect(await loopChildren.first().textContent()).toContain('iteration 1');
    expect(await loopChildren.nth(1).textContent()).toContain('iteration 2');
    // A step's input and output are one click away.
    await node('steps[0]').locator(':scope > details > summary').click();
    expect(await drawer.getByLabel('Input of research').textContent()).toContain('tides');
    expect(await drawer.getByLabel('Output of research').textContent()).toContain('done:');
    await screenshot(page, 'workflow-run-finished');
    await page.keyboard.press('Escape');
    // The workflow page lists the run.
    await page.locator('.runs-table tr[data-status="success"]').first().waitFor();
    // The runs list names the workflow the run ran.
    await page.goto(`${kairos.url}/#/runs`);
    await page
      .locator('.runs-table tr[data-status="success"]')
      .filter({ hasText: 'workflow pipeline' })
      .first()
      .waitFor();
  });

  it('creates a schedule whose target is a workflow', async () => {
    await page.goto(`${kairos.url}/#/schedules/new`);
    await page.getByRole('heading', { name: 'New schedule' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('nightly-pipeline');
    await page.getByRole('radio', { name: 'A workflow' }).check();
    await page.getByLabel('Workflow', { exact: true }).selectOption({ label: 'pipeline (v1)' });
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { name: /nightly-pipeline/, level: 1 }).waitFor();
    const { body } = await api<{
      data: Array<{ name: string; workflow_id: string | null; assistant_id: string | null }>;
    }>('GET', '/api/v1/schedules?limit=100');
    const saved = body.data.find((s) => s.name === 'nightly-pipeline');
    expect(saved).toMatchObject({ workflow_id: ids.pipeline, assistant_id: null });
  });

  it("shows a running workflow run's step tree live, then its end", async () => {
    const run = await create<{ id: string }>(`/api/v1/workflows/${ids.slow}/runs`, { input: 'go' });
    await held.waitForRequests(1, 20_000);
    await page.goto(`${kairos.url}/#/runs/${run.id}`);
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.locator('h2 .badge[data-status="running"]').waitFor();
    await node('steps[1]').and(page.locator('[data-status="running"]')).waitFor();
    expect(await node('steps[0]').getAttribute('data-status')).toBe('success');
    expect(await node('steps[2]').count()).toBe(0);
    expect(await node('steps[1]').textContent()).toContain('running…');
    await screenshot(page, 'workflow-run-running');
    release();
    // The drawer polls: the held step finishes and the last one appears without a reload.
    await node('steps[2]').and(page.locator('[data-status="success"]')).waitFor();
    await drawer.locator('h2 .badge[data-status="success"]').waitFor();
    expect(await node('steps[1]').getAttribute('data-status')).toBe('success');
    expect(browser.errors).toEqual([]);
  });
});
