import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

// The schedule detail page's operator controls in headless Chromium: pause with a note (shown
// until resumed) and backfill with a preview count before confirming.
let dataDir: string;
let kairos: KairosProcess;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;
let scheduleId: string;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${kairos.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A `datetime-local` value in the browser's zone (test/helpers/browser.ts runs Chromium in Europe/Berlin). */
function localInput(iso: string): string {
  const text = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Berlin',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(iso));
  return text.replace(' ', 'T');
}

beforeAll(async () => {
  await buildDashboard();
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-ops-'));
  // API only: backfilled runs stay pending, so the test reads exactly what the dialog created.
  kairos = await startKairosProcess(
    { KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true', KAIROS_ROLES: 'api' },
    90_000,
  );
  const assistant = await api<{ id: string }>('POST', '/api/v1/assistants', {
    name: 'ops-agent',
    kind: 'http',
    config: { url: 'http://127.0.0.1:9/run' },
  });
  scheduleId = (
    await api<{ id: string }>('POST', '/api/v1/schedules', {
      assistant_id: assistant.id,
      name: 'hourly-report',
      schedule: { cron: '0 * * * *' },
    })
  ).id;
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(15_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('schedule detail: operator controls', () => {
  it('pauses with a note, shows the note, who and when, and clears it on resume', async () => {
    await page.goto(`${kairos.url}/#/schedules/${scheduleId}`);
    await page.getByRole('heading', { name: /hourly-report/, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Pause hourly-report' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pause “hourly-report”?' });
    await dialog.getByLabel('Note (optional)').fill('Upstream API rate-limited until 14:00');
    await dialog.getByRole('button', { name: 'Pause' }).click();
    const banner = page.getByRole('note', { name: 'Paused' });
    await banner.getByText('Upstream API rate-limited until 14:00').waitFor();
    expect(await banner.textContent()).toMatch(/Paused .*by you/);
    await screenshot(page, 'schedule-paused-with-note');
    const saved = await api<{ status: string; paused: { note: string } }>('GET', `/api/v1/schedules/${scheduleId}`);
    expect(saved).toMatchObject({ status: 'paused', paused: { note: 'Upstream API rate-limited until 14:00' } });

    await page.getByRole('button', { name: 'Resume hourly-report' }).click();
    await page.getByRole('button', { name: 'Pause hourly-report' }).waitFor();
    await banner.waitFor({ state: 'detached' });
    expect((await api<{ paused: unknown }>('GET', `/api/v1/schedules/${scheduleId}`)).paused).toBeNull();
  });

  it('backfills with a preview of how many runs it will create, and creates them only on confirm', async () => {
    await page.goto(`${kairos.url}/#/schedules/${scheduleId}`);
    await page.getByRole('heading', { name: /hourly-report/, level: 1 }).waitFor();
    await page.getByLabel('More actions for hourly-report').click();
    await page.getByRole('button', { name: 'Backfill…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Backfill “hourly-report”' });
    await dialog.getByLabel('From (excluded)').fill(localInput('2026-01-05T10:00:00Z'));
    await dialog.getByLabel('To (included)').fill(localInput('2026-01-05T13:00:00Z'));
    await dialog.getByTestId('backfill-count').filter({ hasText: '3 runs' }).waitFor();
    expect(await dialog.getByRole('status', { name: 'Backfill preview' }).textContent()).toMatch(
      /This creates 3 runs for 3 occurrences/,
    );
    await screenshot(page, 'schedule-backfill-preview');
    // The preview created nothing.
    expect((await api<{ total: number }>('GET', `/api/v1/schedules/${scheduleId}/runs`)).total).toBe(0);

    await dialog.getByRole('button', { name: 'Create 3 runs' }).click();
    await page.getByText('Backfilled “hourly-report”: 3 runs queued.').waitFor();
    const runs = await api<{ data: Array<{ trigger: string; scheduled_for: string }> }>(
      'GET',
      `/api/v1/schedules/${scheduleId}/runs?trigger=backfill`,
    );
    expect(runs.data.map((run) => run.scheduled_for).sort()).toEqual([
      '2026-01-05T11:00:00.000Z',
      '2026-01-05T12:00:00.000Z',
      '2026-01-05T13:00:00.000Z',
    ]);

    // Again over the same window: the preview says there is nothing left to create.
    await page.getByLabel('More actions for hourly-report').click();
    await page.getByRole('button', { name: 'Backfill…' }).click();
    await dialog.getByLabel('From (excluded)').fill(localInput('2026-01-05T10:00:00Z'));
    await dialog.getByLabel('To (included)').fill(localInput('2026-01-05T13:00:00Z'));
    await dialog.getByTestId('backfill-count').filter({ hasText: '0 runs' }).waitFor();
    expect(await dialog.getByRole('button', { name: 'Nothing to create' }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(browser.errors).toEqual([]);
  });
});
