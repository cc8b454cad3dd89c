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

async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
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
  kairos = await startKairosProcess(
    { KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true', KAIROS_DEMO: 'false', UI_HOOK_SECRET: secret },
    150_000,
  );
  const assistant = await api<{ id: string }>('POST', '/api/v1/assistants', {
    name: 'reviewer',
    kind: 'http',
    config: { url: `${agent.url}/run` },
  });
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
  const accepted = await api<{ run_id: string }>('POST', `/hooks/${triggerId}?wait=30`, payload, {
    'x-hub-signature-256': signGithub(secret, payload),
    'x-github-delivery': 'ui-1',
  });
  expect(accepted.status).toBe(200);
  runId = accepted.body.run_id;
  expect(
    (await api('POST', `/hooks/${triggerId}`, payload, { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) })).status,
  ).toBe(401);
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
    await card
      .getByTestId('delivery-counts')
      .filter({ hasText: '2 deliveries: 1 accepted, 0 replayed, 1 refused' })
      .waitFor();

    const table = card.getByRole('table', { name: 'Last deliveries of github-push' });
    await table
      .locator('tr[data-outcome="unauthorized"]')
      .filter({ hasText: 'x-hub-signature-256: the signature does not match the body' })
      .waitFor();
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

  it('shows a debounced trigger with its period and key, and its held deliveries as debounced', async () => {
    const assistants = await api<{ data: Array<{ id: string }> }>('GET', '/api/v1/assistants');
    const trigger = await api<{ id: string }>('POST', '/api/v1/triggers', {
      name: 'debounced-pushes',
      assistant_id: assistants.body.data[0]!.id,
      auth: { type: 'hmac-sha256', header: 'X-Hub-Signature-256', secret: { env: 'UI_HOOK_SECRET' } },
      debounce: { period: '10m', key: '{{event.body.ref}}' },
    });
    expect(trigger.status).toBe(201);
    const payload = JSON.stringify({ ref: 'refs/heads/main' });
    const held = await api<{ debounced: boolean }>('POST', `/hooks/${trigger.body.id}`, payload, {
      'x-hub-signature-256': signGithub(secret, payload),
    });
    expect(held.status).toBe(202);
    expect(held.body.debounced).toBe(true);
    await page.goto(`${kairos.url}/#/triggers`);
    const card = page.getByRole('article', { name: 'debounced-pushes' });
    await card.getByTestId('trigger-debounce').filter({ hasText: 'debounce 10m per {{event.body.ref}}' }).waitFor();
    await card
      .getByTestId('delivery-counts')
      .filter({ hasText: '1 delivery: 0 accepted, 0 replayed, 1 debounced, 0 refused' })
      .waitFor();
    await card.locator('tr[data-outcome="debounced"]').filter({ hasText: 'Debounced' }).waitFor();
    // Deleted again: the other tests count the triggers on the page.
    expect((await api('DELETE', `/api/v1/triggers/${trigger.body.id}`)).status).toBe(204);
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

  it('creates a trigger from the form (Stripe signature, template, overlap), shows its URL with a copy button, and names a refused field', async () => {
    await page.getByRole('button', { name: '+ New trigger' }).click();
    const dialog = page.getByRole('dialog', { name: 'New trigger' });
    await dialog.waitFor();
    await dialog.getByLabel('Name', { exact: true }).fill('stripe-events');
    await dialog.getByLabel('Assistant', { exact: true }).selectOption({ label: 'reviewer' });
    await dialog.getByLabel('Input template', { exact: true }).fill('{"kind": "{{event.body.type}}"}');
    await dialog.getByLabel('Auth', { exact: true }).selectOption('stripe');
    // A Kairos configuration variable is refused by the API: the error is shown at the field.
    await dialog.getByLabel('Secret env variable', { exact: true }).fill('KAIROS_API_KEYS');
    await dialog.getByLabel('Overlap', { exact: true }).selectOption('skip');
    await dialog.getByLabel('Max concurrent', { exact: true }).fill('2');
    await dialog.getByRole('button', { name: 'Create trigger' }).click();
    await dialog.locator('.field-error').filter({ hasText: "holds Kairos's own configuration" }).waitFor();
    expect(
      (await api<{ data: Array<{ name: string }> }>('GET', '/api/v1/triggers')).body.data.map((t) => t.name),
    ).not.toContain('stripe-events');

    await dialog.getByLabel('Secret env variable', { exact: true }).fill('UI_HOOK_SECRET');
    await dialog.getByRole('button', { name: 'Create trigger' }).click();
    const done = dialog.getByLabel('Trigger created');
    await done.waitFor();
    const created = (
      await api<{
        data: Array<{
          id: string;
          name: string;
          auth: Record<string, unknown>;
          overlap: string;
          max_concurrent: number;
          input_template: unknown;
        }>;
      }>('GET', '/api/v1/triggers')
    ).body.data.find((t) => t.name === 'stripe-events')!;
    expect(created).toMatchObject({
      auth: { type: 'hmac-sha256', header: 'stripe-signature', format: 'stripe', secret: { env: 'UI_HOOK_SECRET' } },
      overlap: 'skip',
      max_concurrent: 2,
      input_template: { kind: '{{event.body.type}}' },
    });
    const url = `${kairos.url}/hooks/${created.id}`;
    expect(await done.getByLabel('URL of stripe-events', { exact: true }).textContent()).toBe(`POST ${url}`);
    await done.getByRole('button', { name: 'Copy the URL of stripe-events' }).click();
    await done.getByRole('button', { name: 'Copy the URL of stripe-events' }).filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url);
    await screenshot(page, 'trigger-created');
    await done.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('article', { name: 'stripe-events' }).getByText('overlap skip, max 2').waitFor();
  });

  it('creates a trigger that targets a workflow (bearer token), whose delivery runs the workflow', async () => {
    const assistant = (
      await api<{ data: Array<{ id: string; name: string }> }>('GET', '/api/v1/assistants')
    ).body.data.find((a) => a.name === 'reviewer')!;
    const workflow = await api<{ id: string }>('POST', '/api/v1/workflows', {
      name: 'ui-flow',
      steps: [{ type: 'step', name: 'review', assistant_id: assistant.id }],
    });
    expect(workflow.status).toBe(201);
    await page.reload();
    await page.getByRole('button', { name: '+ New trigger' }).click();
    const dialog = page.getByRole('dialog', { name: 'New trigger' });
    await dialog.getByLabel('Name', { exact: true }).fill('flow-hook');
    await dialog.getByLabel('Target kind', { exact: true }).selectOption('workflow');
    await dialog.getByLabel('Workflow', { exact: true }).selectOption({ label: 'ui-flow' });
    await dialog.getByLabel('Auth', { exact: true }).selectOption('bearer');
    await dialog.getByLabel('Token env variable', { exact: true }).fill('UI_HOOK_SECRET');
    await dialog.getByRole('button', { name: 'Create trigger' }).click();
    await dialog.getByLabel('Trigger created').waitFor();
    await dialog.getByRole('button', { name: 'Done' }).click();
    const card = page.getByRole('article', { name: 'flow-hook' });
    await card
      .getByTestId('trigger-target')
      .filter({ hasText: `workflow ${workflow.body.id.slice(0, 8)}` })
      .waitFor();
    await card.getByText('Bearer token (UI_HOOK_SECRET)').waitFor();

    const trigger = (
      await api<{ data: Array<{ id: string; name: string; workflow_id: string | null }> }>('GET', '/api/v1/triggers')
    ).body.data.find((t) => t.name === 'flow-hook')!;
    expect(trigger.workflow_id).toBe(workflow.body.id);
    const delivery = await api<{ run: { status: string; workflow_id: string } }>(
      'POST',
      `/hooks/${trigger.id}?wait=30`,
      '{"x":1}',
      { authorization: `Bearer ${secret}` },
    );
    expect(delivery.status).toBe(200);
    expect(delivery.body.run).toMatchObject({ status: 'success', workflow_id: workflow.body.id });
  });

  it('deletes a trigger from its card after a confirmation', async () => {
    const card = page.getByRole('article', { name: 'stripe-events' });
    await card.getByRole('button', { name: 'Delete stripe-events' }).click();
    await card.getByRole('button', { name: 'Confirm deleting stripe-events' }).click();
    await card.waitFor({ state: 'detached' });
    expect(
      (await api<{ data: Array<{ name: string }> }>('GET', '/api/v1/triggers')).body.data.map((t) => t.name),
    ).not.toContain('stripe-events');
    // The one 422 is the refused KAIROS_ variable of the form test, on purpose.
    expect(browser.errors.filter((error) => !error.includes('status of 422'))).toEqual([]);
  });
});
