import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { createTestDatabase, testDatabaseUrl, uniqueSchema, type TestDatabase } from '../helpers/databases.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/**
 * The dashboard with more schedules than a page (issue 25: it showed an arbitrary half of 10,000):
 * 3,000 schedules made by SQL, read a page at a time with the server's total, search and sort.
 */
const count = 3000;

describe('dashboard: thousands of schedules', () => {
  const schema = uniqueSchema('ui_many');
  let test: TestDatabase;
  let kairos: KairosProcess;
  let browser: HeadlessBrowser & { errors: string[] };
  let page: Page;
  const row = (name: string) => page.locator(`tr[data-schedule="${name}"]`);
  const rowNames = () =>
    page.locator('tr[data-schedule]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-schedule')));

  beforeAll(async () => {
    await buildDashboard();
    test = await createTestDatabase('postgres', { schema });
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'agent',
      kind: 'http',
      config: { url: 'https://agent.example/run' },
    });
    // sched-N fires N minutes after a far instant (nothing is due while the test runs), so "next
    // run" orders them by N; the last ten are failing.
    await test.db.query(
      `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, timezone, next_run_at, consecutive_failures, alert_after)
       SELECT $1, 'sched-' || g, $2, 'cron', '0 9 * * *', 'UTC', $3::timestamptz + g * interval '1 minute',
              CASE WHEN g > $4::int - 10 THEN 5 ELSE 0 END, 3
       FROM generate_series(1, $4::int) AS g`,
      [localAdminId, assistant.id, '2030-01-01T00:00:00Z', count],
    );
    kairos = await startKairosProcess({ DATABASE_URL: testDatabaseUrl, KAIROS_DB_SCHEMA: schema });
    browser = await launchBrowser();
    ({ page } = await browser.newPage());
    page.setDefaultTimeout(15_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await kairos?.stop();
    await test?.close();
  });

  it('shows the true total and one page of rows', async () => {
    await page.goto(`${kairos.url}/#/schedules`);
    await page
      .getByTestId('schedule-counts')
      .filter({ hasText: '3,000 schedules · 3,000 active · 10 failing' })
      .waitFor();
    await row('sched-1').waitFor();
    expect(await rowNames()).toEqual(Array.from({ length: 50 }, (_, i) => `sched-${i + 1}`));
    await page.getByRole('navigation', { name: 'Pages' }).filter({ hasText: '1–50 of 3,000' }).waitFor();
    await screenshot(page, 'schedules-many');
  });

  it('pages further on the server', async () => {
    await page.getByRole('button', { name: 'Next →' }).click();
    await expect.poll(rowNames, { timeout: 15_000 }).toEqual(Array.from({ length: 50 }, (_, i) => `sched-${i + 51}`));
    await page.getByRole('navigation', { name: 'Pages' }).filter({ hasText: '51–100 of 3,000' }).waitFor();
  });

  it('finds a schedule beyond the first page by searching', async () => {
    await page.getByLabel('Search schedules').fill('sched-1001');
    // Each keystroke asks the server; the list settles on the one match.
    await expect.poll(rowNames, { timeout: 15_000 }).toEqual(['sched-1001']);
    await page.getByTestId('schedule-matches').filter({ hasText: '1 schedule match' }).waitFor();
  });

  it('filters and sorts on the server', async () => {
    await page.goto(`${kairos.url}/#/schedules?state=failing&sort=name`);
    await row('sched-2991').waitFor();
    expect(await rowNames()).toEqual(Array.from({ length: 10 }, (_, i) => `sched-${2991 + i}`));
    await page.getByTestId('schedule-matches').filter({ hasText: '10 schedules match' }).waitFor();
  });

  it('counts every schedule on the overview', async () => {
    await page.goto(kairos.url);
    await page.getByText('3,000 active schedules of 3,000').waitFor();
    // Coming up: the next ones of all 3,000, from the server.
    await page.getByRole('link', { name: 'sched-1', exact: true }).waitFor();
    expect(browser.errors).toEqual([]);
  });
});
