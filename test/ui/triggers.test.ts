import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signGithub } from '../../src/triggers/github-signature.ts';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/** The triggers page in headless chromium against a real `kairos serve`, after real deliveries. */

const secret = 'ui-hook-secret-value';
let dataDir: string;
let kairos: KairosProcess;
let agent: HttpAgentServer;
let browser: HeadlessBrowser & { errors: string[] };
let context: BrowserContext;
let page: Page;
let triggerId: string;
let runId: string;

async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${kairos.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

beforeAll(async () => {
  await buildDashboard();
  agent = await startHttpAgentServer(() => ({ body: { ok: true } }));
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-triggers-'));
  kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true', KAIROS_DEMO: 'false', UI_HOOK_SECRET: secret }, 150_000);
  const assistant = await api<{ id: string }>('POST', '/api/v1/assistants', { name: 'reviewer', kind: 'http', config: { url: `${agent.url}/run` } });
  expect(assistant.status).toBe(201);
  const trigger = await api<{ id: string }>('POST', '/api/v1/triggers', {
    name: 'github-push',
    assistant_id: assistant.body.id,
    auth: { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: { env: 'UI_HOOK_SECRET' } },
    input_template: { ref: '{{event.body.ref}}' },
  });
  expect(trigger.status).toBe(201);
  triggerId = trigger.body.id;
  const payload = JSON.stringify({ ref: 'refs/heads/main' });
  const accepted = await api<{ run_id: string }>('POST', `/hooks/${triggerId}?wait=30`, payload, { 'x-hub-signature-256': signGithub(secret, payload), 'x-github-delivery': 'ui-1' });
  expect(accepted.status).toBe(200);
  runId = accepted.body.run_id;
  expect((await api('POST', `/hooks/${triggerId}`, payload, { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) })).status).toBe(401);
  browser = await launchBrowser();
  ({ context, page } = await browser.newPage());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: kairos.url });
  page.setDefaultTimeout(15_000);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  await agent?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard: triggers', () => {
  it('lists a trigger with its URL (copied by the button), its counts, and its last deliveries with their runs', async () => {
    await page.goto(`${kairos.url}/#/triggers`);
    await page.getByRole('heading', { name: 'Triggers', level: 1 }).waitFor();
    const card = page.getByRole('article', { name: 'github-push' });
    await card.waitFor();
    const url = `${kairos.url}/hooks/${triggerId}`;
    expect(await card.getByLabel('URL of github-push', { exact: true }).textContent()).toBe(`POST ${url}`);
    await card.getByText('GitHub signature in x-hub-signature-256 (UI_HOOK_SECRET)').waitFor();
    await card.getByTestId('delivery-counts').filter({ hasText: '2 deliveries: 1 accepted, 0 replayed, 1 refused' }).waitFor();

    const table = card.getByRole('table', { name: 'Last deliveries of github-push' });
    await table.locator('tr[data-outcome="unauthorized"]').filter({ hasText: 'x-hub-signature-256: the signature does not match the body' }).waitFor();
    const acceptedRow = table.locator('tr[data-outcome="accepted"]');
    await acceptedRow.locator('[data-status="success"]').waitFor();
    await screenshot(page, 'triggers-page');

    await card.getByRole('button', { name: 'Copy the URL of github-push' }).click();
    await card.getByRole('button', { name: 'Copy the URL of github-push' }).filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url);

    await acceptedRow.getByRole('button', { name: /^Open run / }).click();
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.waitFor();
    await drawer.getByText(runId.slice(0, 8)).first().waitFor();
    await drawer.getByRole('button', { name: 'Close run details' }).click();
  });

  it('disables and enables a trigger from its card', async () => {
    const card = page.getByRole('article', { name: 'github-push' });
    await card.getByRole('button', { name: 'Disable github-push' }).click();
    await card.getByText('Disabled', { exact: true }).waitFor();
    expect((await api<{ enabled: boolean }>('GET', `/api/v1/triggers/${triggerId}`)).body.enabled).toBe(false);
    await card.getByRole('button', { name: 'Enable github-push' }).click();
    await card.getByText('Enabled', { exact: true }).waitFor();
    expect(browser.errors).toEqual([]);
  });
});
