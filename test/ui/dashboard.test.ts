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
 * The dashboard end to end: headless Debian chromium against a real `kairos serve` on a fresh
 * data directory, with two local agents (one answers, one fails with 500).
 */

let dataDir: string;
let kairos: KairosProcess;
let okAgent: HttpAgentServer;
let failingAgent: HttpAgentServer;
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

async function createAssistant(name: string, url: string): Promise<string> {
  const { status, body } = await api<{ id: string }>('POST', '/api/v1/assistants', {
    name,
    kind: 'http',
    config: { url },
  });
  expect(status, JSON.stringify(body)).toBe(201);
  return body.id;
}

async function scheduleByName(name: string): Promise<{ id: string; enabled: boolean } | undefined> {
  const { body } = await api<{ data: Array<{ id: string; name: string; enabled: boolean }> }>(
    'GET',
    '/api/v1/schedules?limit=1000',
  );
  return body.data.find((s) => s.name === name);
}

/** The row of a schedule in the list. */
const row = (name: string) => page.locator(`tr[data-schedule="${name}"]`);

beforeAll(async () => {
  await buildDashboard();
  okAgent = await startHttpAgentServer((request) => ({
    body: { ok: true, summary: 'report ready', echo: (request.body as { input?: unknown } | null)?.input ?? null },
  }));
  failingAgent = await startHttpAgentServer(() => ({ status: 500, body: { error: 'upstream model exploded' } }));
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-'));
  kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true' });
  ids.echo = await createAssistant('echo-agent', `${okAgent.url}/run`);
  ids.broken = await createAssistant('broken-agent', `${failingAgent.url}/run`);
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(15_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  await okAgent?.close();
  await failingAgent?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 180_000); // starts a server on PGlite and a browser: slow on a loaded machine

describe('dashboard', () => {
  it('serves the app at / and shows the overview', async () => {
    const response = await page.goto(kairos.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Last 24 hours' }).waitFor();
    await page.getByText('No schedule is failing').waitFor();
    await screenshot(page, 'overview-empty');
  });

  it('creates a schedule from a preset, with a live preview and a rendered template', async () => {
    await page.goto(`${kairos.url}/#/schedules/new`);
    await page.getByRole('heading', { name: 'New schedule' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('morning-report');
    await page.getByLabel('Assistant', { exact: true }).selectOption({ label: 'echo-agent (http)' });
    // Only active assistants are offered.
    await page.getByLabel('Time zone').fill('America/New_York');
    await page.getByRole('radio', { name: 'Weekdays' }).check();
    await page.getByLabel('Time', { exact: true }).fill('07:30');
    const description = page.getByTestId('preview-description');
    await description.filter({ hasText: 'At 07:30, Monday through Friday' }).waitFor();
    const times = page.getByRole('list', { name: 'Next fire times' }).getByRole('listitem');
    await expect.poll(() => times.count()).toBe(5);
    expect(await times.first().textContent()).toMatch(/07:30:00/);
    // The preview follows the preset as it changes.
    await page.getByLabel('Time', { exact: true }).fill('08:15');
    await description.filter({ hasText: 'At 08:15, Monday through Friday' }).waitFor();

    await page
      .getByLabel('Input template')
      .fill('{"task": "Report for {{date}} ({{day_of_week}}), run {{run_number}}"}');
    const rendered = page.getByLabel('Rendered input preview');
    await rendered
      .filter({ hasText: /Report for \d{4}-\d{2}-\d{2} \((Monday|Tuesday|Wednesday|Thursday|Friday)\), run 1/ })
      .waitFor();
    await screenshot(page, 'schedule-form-preset');

    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { name: /morning-report/, level: 1 }).waitFor();
    const saved = await scheduleByName('morning-report');
    expect(saved).toBeDefined();
    ids.morning = saved!.id;
    const { body } = await api<{ schedule: { cron: string; timezone: string }; input_template: unknown }>(
      'GET',
      `/api/v1/schedules/${ids.morning}`,
    );
    expect(body.schedule).toEqual({ cron: '15 8 * * 1-5', timezone: 'America/New_York' });
    expect(body.input_template).toEqual({ task: 'Report for {{date}} ({{day_of_week}}), run {{run_number}}' });
    await page.getByRole('list', { name: 'Next 10 fire times' }).getByRole('listitem').nth(9).waitFor();
  });

  it('creates a schedule from a cron expression and shows the error of an invalid one at the field', async () => {
    await page.goto(`${kairos.url}/#/schedules/new`);
    await page.getByLabel('Name', { exact: true }).fill('every-five');
    await page.getByLabel('Assistant', { exact: true }).selectOption({ label: 'echo-agent (http)' });
    await page.getByLabel('Time zone').fill('UTC');
    await page.getByRole('radio', { name: 'Cron' }).check();
    const cron = page.getByLabel('Cron expression');
    await cron.fill('0 25 * * *');
    await page.getByRole('alert').filter({ hasText: 'hour: 25 is outside 0-23' }).first().waitFor();
    expect(await cron.getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'schedule-form-invalid-cron');

    await cron.fill('*/5 * * * *');
    await page.getByTestId('preview-description').filter({ hasText: 'Every 5 minutes' }).waitFor();
    expect(await cron.getAttribute('aria-invalid')).toBeNull();
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { name: /every-five/, level: 1 }).waitFor();
    ids.five = (await scheduleByName('every-five'))!.id;
  });

  it('lists schedules with words, cron and a countdown in one zone (the viewer’s); search narrows the list', async () => {
    // The words come with each schedule (`description`): no preview call per cron.
    const previews: string[] = [];
    const onRequest = (request: { url: () => string }) =>
      void (request.url().includes('/schedules/preview') && previews.push(request.url()));
    page.on('request', onRequest);
    await page.goto(`${kairos.url}/#/schedules`);
    await row('morning-report').waitFor();
    await row('every-five').waitFor();
    const morning = row('morning-report');
    expect(await morning.textContent()).toContain('At 08:15, Monday through Friday, America/New_York');
    expect(await morning.textContent()).toContain('15 8 * * 1-5');
    // One zone per view: the list's next-run times are in the viewer's zone (Europe/Berlin), named;
    // the schedule's own zone is in its words above.
    await morning.locator('.countdown', { hasText: /in \d/ }).waitFor();
    const countdown = await morning.locator('.countdown').textContent();
    expect(countdown).toMatch(/in \d.*(GMT\+[12]|CES?T)/);
    expect(countdown).not.toMatch(/E[SD]T|GMT-[45]/);
    await screenshot(page, 'schedules-list');
    page.off('request', onRequest);
    expect(previews).toEqual([]);

    await page.getByLabel('Search schedules').fill('morning');
    await row('every-five').waitFor({ state: 'detached' });
    expect(await page.locator('tr[data-schedule]').count()).toBe(1);
    await page.getByLabel('Search schedules').fill('');
    await row('every-five').waitFor();
  });

  it('edits a schedule in the same form, prefilled, and duplicates one', async () => {
    await page.goto(`${kairos.url}/#/schedules/${ids.morning}/edit`);
    await page.getByRole('heading', { name: 'Edit “morning-report”' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Weekdays' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Time', { exact: true }).inputValue()).toBe('08:15');
    expect(await page.getByLabel('Time zone').inputValue()).toBe('America/New_York');
    await page.getByLabel('Alert after').fill('5');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: /morning-report/, level: 1 }).waitFor();
    await page.getByText('alert at 5').waitFor();
    const { body } = await api<{ alert_after: number; schedule: { cron: string } }>(
      'GET',
      `/api/v1/schedules/${ids.morning}`,
    );
    expect(body.alert_after).toBe(5);
    expect(body.schedule.cron).toBe('15 8 * * 1-5');

    await page.getByLabel('More actions for morning-report').click();
    await page.getByRole('button', { name: 'Duplicate' }).click();
    await page.getByRole('heading', { name: 'Duplicate “morning-report”' }).waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('morning-report copy');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { name: /morning-report copy/, level: 1 }).waitFor();
    const copy = await scheduleByName('morning-report copy');
    expect(copy).toBeDefined();
    expect((await api('DELETE', `/api/v1/schedules/${copy!.id}`)).status).toBeLessThan(300);
  });

  it('pauses and resumes a schedule', async () => {
    await page.goto(`${kairos.url}/#/schedules`);
    const five = row('every-five');
    await five.getByRole('button', { name: 'Pause every-five' }).click();
    await five.getByText('Paused', { exact: true }).waitFor();
    await page.getByText('Paused “every-five”.').waitFor();
    expect((await scheduleByName('every-five'))!.enabled).toBe(false);

    await five.getByRole('button', { name: 'Resume every-five' }).click();
    await five.getByText('Active', { exact: true }).waitFor();
    expect((await scheduleByName('every-five'))!.enabled).toBe(true);
  });

  it('triggers a run now after a confirmation and shows the run with its output', async () => {
    await page.goto(`${kairos.url}/#/schedules/${ids.morning}`);
    await page.getByRole('heading', { name: /morning-report/, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Trigger morning-report now' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run “morning-report” now?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('echo-agent');
    await dialog.getByRole('button', { name: 'Run now' }).click();

    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.waitFor();
    await drawer.locator('[data-status="success"]').waitFor();
    const output = drawer.getByLabel('Run output');
    await output.filter({ hasText: 'report ready' }).waitFor();
    expect(await output.textContent()).toMatch(/Report for \d{4}-\d{2}-\d{2}/);
    await screenshot(page, 'run-drawer-success');
    await drawer.getByRole('tab', { name: 'Input' }).click();
    await drawer.getByLabel('Rendered input').filter({ hasText: 'Report for' }).waitFor();
    await drawer.getByRole('button', { name: 'Close run details' }).click();

    // The history shows it without a reload.
    await page.locator('tr[data-status="success"]').first().waitFor();
    expect(okAgent.requests.length).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'schedule-detail');
  });

  it('opens a failed run and shows its error', async () => {
    const created = await api<{ id: string }>('POST', '/api/v1/schedules', {
      name: 'nightly-broken',
      assistant_id: ids.broken,
      schedule: { cron: '0 3 * * *', timezone: 'UTC' },
      input_template: 'do the nightly thing',
    });
    expect(created.status).toBe(201);
    const triggered = await api('POST', `/api/v1/schedules/${created.body.id}/trigger`, {});
    expect(triggered.status).toBeLessThan(300);

    // The time range is a filter of the API (`from`), not of the page shown.
    const ranged = page.waitForRequest((request) => /\/api\/v1\/runs\?.*status=error.*from=/.test(request.url()));
    await page.goto(`${kairos.url}/#/runs?status=error&range=24h`);
    await ranged;
    const failed = page.locator('tr[data-status="error"]').first();
    await failed.waitFor({ timeout: 20_000 });
    await screenshot(page, 'runs');
    // Keyboard: focus the row and press Enter.
    await failed.focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog', { name: 'Run details' });
    await drawer.waitFor();
    const error = drawer.getByLabel('Run error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/500/);
    expect(await error.textContent()).toContain('Assistant error');
    await screenshot(page, 'run-drawer-error');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('deletes a schedule after a confirmation that names it', async () => {
    await page.goto(`${kairos.url}/#/schedules/${ids.five}`);
    await page.getByRole('heading', { name: /every-five/, level: 1 }).waitFor();
    await page.getByLabel('More actions for every-five').click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “every-five”?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete every-five' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    await page.getByText('Deleted “every-five”.').waitFor();
    await row('morning-report').waitFor();
    expect(await row('every-five').count()).toBe(0);
    expect((await api('GET', `/api/v1/schedules/${ids.five}`)).status).toBe(404);
  });

  it('shows the overview with runs by status and what is coming up, and the assistants page', async () => {
    // The last 24 hours are asked for by `from`/`to`.
    const windowed = page.waitForRequest((request) => /\/api\/v1\/runs\?.*from=.*&to=/.test(request.url()));
    await page.goto(`${kairos.url}/#/`);
    await windowed;
    await page.getByRole('link', { name: /^[1-9]\d* success$/ }).waitFor();
    await page.getByRole('link', { name: /^[1-9]\d* error$/ }).waitFor();
    await page.getByRole('heading', { name: 'Coming up' }).waitFor();
    await page.locator('.upcoming').getByText('morning-report').waitFor();
    await screenshot(page, 'overview');

    await page.goto(`${kairos.url}/#/assistants`);
    await page.getByRole('article', { name: 'echo-agent' }).waitFor();
    await screenshot(page, 'assistants');
  });

  it('is readable on a phone', async () => {
    const { context, page: phone } = await browser.newPage({ width: 390, height: 844, colorScheme: 'dark' });
    await phone.goto(`${kairos.url}/#/schedules`);
    await phone.locator('tr[data-schedule="morning-report"]').waitFor();
    const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(1);
    await screenshot(phone, 'schedules-phone-dark');
    await context.close();
  });

  it('logged no errors in the browser', () => {
    // 4xx answers (the invalid cron preview) show as "Failed to load resource"; anything else is a bug.
    expect(browser.errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});
