import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { buildDashboard } from './build-dashboard.ts';

/**
 * The Inbox page end to end: headless chromium against a real `kairos serve` and a local agent.
 * A workflow parks on an approval; the page lists it (with the badge in the navigation), a
 * person approves it with a comment, and the run resumes to its end.
 */

let dataDir: string;
let kairos: KairosProcess;
let agent: HttpAgentServer;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;

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

type RunView = { id: string; status: string; output: { steps?: Record<string, unknown> } | null };

beforeAll(async () => {
  await buildDashboard();
  agent = await startHttpAgentServer((request) => ({
    body: { content: `draft for ${JSON.stringify((request.body as { input?: unknown } | null)?.input ?? null)}` },
  }));
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-inbox-'));
  kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true' });
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(20_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  await agent?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the inbox page', () => {
  it('lists a waiting workflow run with a badge, approves it with a comment, and the run resumes', async () => {
    const writer = await create<{ id: string }>('/api/v1/assistants', {
      name: 'writer',
      kind: 'http',
      config: { url: `${agent.url}/run` },
    });
    const workflow = await create<{ id: string }>('/api/v1/workflows', {
      name: 'publish-flow',
      steps: [
        { type: 'step', name: 'draft', assistant_id: writer.id },
        { type: 'wait', name: 'approve', approval: { prompt: 'Publish this? {{steps.draft}}', timeout: '1h' } },
        { type: 'step', name: 'publish', assistant_id: writer.id, input: '{{steps.approve}}' },
      ],
    });
    const run = await create<{ id: string }>(`/api/v1/workflows/${workflow.id}/runs`, { input: 'tides' });
    await waitFor(async () => (await api<RunView>('GET', `/api/v1/runs/${run.id}`)).body.status === 'waiting', {
      timeoutMs: 20_000,
      message: 'the run parks on its approval',
    });

    await page.goto(`${kairos.url}/#/inbox`);
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    expect(await page.getByTestId('inbox-badge').textContent()).toBe('1');
    const card = page.locator(`[data-testid="approval"][data-run-id="${run.id}"]`);
    await card.waitFor();
    expect(await card.getByTestId('approval-prompt').textContent()).toBe(
      'Publish this? {"content":"draft for \\"tides\\""}',
    );
    expect(await card.textContent()).toContain('Workflow publish-flow');
    expect(await card.textContent()).toContain('step approve');
    expect(await page.getByTestId('approval-count').textContent()).toBe('1 pending approval');
    await screenshot(page, 'inbox-pending');

    await card.getByLabel('Comment on approve').fill('ship it');
    await card.getByRole('button', { name: 'Approve' }).click();
    await page.locator('.toast[data-kind="success"]').filter({ hasText: 'Approved' }).waitFor();
    await card.waitFor({ state: 'detached' });
    await page.getByTestId('inbox-badge').waitFor({ state: 'detached' });
    await page.getByText('Nothing waits for you').waitFor();

    const finished = await waitFor(
      async () => {
        const { body } = await api<RunView>('GET', `/api/v1/runs/${run.id}`);
        return body.status === 'success' ? body : undefined;
      },
      { timeoutMs: 20_000, message: 'the run resumes and ends' },
    );
    expect(finished.output?.steps?.approve).toMatchObject({ approved: true, comment: 'ship it', timed_out: false });
    // The agent was called for the draft, then for the publish step with the comment as input.
    expect(agent.requests).toHaveLength(2);
    expect(JSON.stringify((agent.requests[1]!.body as { input?: unknown }).input)).toContain('ship it');
    expect(browser.errors).toEqual([]);
  });
});
