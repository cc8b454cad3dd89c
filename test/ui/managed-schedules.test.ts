import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/** Schedules declared in the config file, as the dashboard shows them (a real `kairos serve`). */

let dir: string;
let kairos: KairosProcess;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;
let scheduleId: string;

beforeAll(async () => {
  await buildDashboard();
  dir = mkdtempSync(join(tmpdir(), 'kairos-ui-managed-'));
  const config = join(dir, 'kairos.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      schedules: [
        { name: 'declared-digest', assistant: 'kairos-digest', schedule: { cron: '0 6 * * *', timezone: 'UTC' } },
      ],
    }),
  );
  kairos = await startKairosProcess(
    { KAIROS_DATA_DIR: join(dir, 'data'), KAIROS_CONFIG: config, KAIROS_DEMO: 'false' },
    90_000,
  );
  const list = (await (await fetch(`${kairos.url}/api/v1/schedules`)).json()) as {
    data: Array<{ id: string; name: string; source: string }>;
  };
  expect(list.data.map((s) => [s.name, s.source])).toEqual([['declared-digest', 'config']]);
  scheduleId = list.data[0]!.id;
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(15_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('dashboard: schedules managed in code', () => {
  it('marks a declared schedule in the list and on its page', async () => {
    await page.goto(`${kairos.url}/#/schedules`);
    await page
      .locator('tr[data-schedule="declared-digest"] [data-source="config"]')
      .getByText('Managed in code')
      .waitFor();
    await page.goto(`${kairos.url}/#/schedules/${scheduleId}`);
    await page.getByRole('heading', { name: /declared-digest/, level: 1 }).waitFor();
    const notice = page.getByRole('note').filter({ hasText: 'Managed in code' });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/config file.*next start/);
  });

  it('warns in the edit form that the next start may overwrite the change', async () => {
    await page.goto(`${kairos.url}/#/schedules/${scheduleId}/edit`);
    await page.getByRole('heading', { name: 'Edit “declared-digest”' }).waitFor();
    const warning = page.locator('[data-managed="config"]');
    await warning.waitFor();
    expect(await warning.textContent()).toMatch(
      /overwritten at the next start of Kairos; change the declaration instead/,
    );
    await screenshot(page, 'schedule-edit-managed');
  });

  it('logged no errors in the browser', () => {
    expect(browser.errors).toEqual([]);
  });
});
