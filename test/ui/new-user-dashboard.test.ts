import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type HeadlessBrowser } from '../helpers/browser.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/**
 * What a new user trips on in the dashboard (issue 25): the form's defaults are the API's, a raw
 * cron reopens as written, the DST selects read in words, an unclosed `{{` is flagged, a deleted
 * schedule is asked for no more, and an empty chart says so.
 */
let dataDir: string;
let kairos: KairosProcess;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;
let assistantId: string;

interface Schedule {
  id: string;
  name: string;
  timeout: number | null;
  retry: { max_attempts: number; backoff: { initial_s: number } };
  schedule: { cron?: string; every?: number };
}

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${kairos.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.ok, text).toBe(true);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs in the page (a string: the tests have no DOM types): each DST select's chosen text and widths. */
const measureDstSelects = `[...document.querySelectorAll('select')]
  .filter((s) => s.labels[0]?.textContent.startsWith('When clocks'))
  .map((s) => {
    const probe = document.createElement('span');
    probe.style.font = getComputedStyle(s).font;
    probe.style.position = 'absolute';
    probe.textContent = s.options[s.selectedIndex].text;
    document.body.append(probe);
    const text_px = probe.getBoundingClientRect().width;
    probe.remove();
    return { text: probe.textContent, text_px, box_px: s.getBoundingClientRect().width };
  })`;

const byName = async (name: string) =>
  (await api<{ data: Schedule[] }>('GET', `/api/v1/schedules?name=${encodeURIComponent(name)}`)).data.find(
    (s) => s.name === name,
  );

beforeAll(async () => {
  await buildDashboard();
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-new-user-'));
  kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir });
  assistantId = (
    await api<{ id: string }>('POST', '/api/v1/assistants', {
      name: 'echo',
      kind: 'http',
      config: { url: 'https://agent.example/run' },
    })
  ).id;
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(15_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

describe('dashboard: a new user', () => {
  it('says the 24 h chart is empty, with no runs yet', async () => {
    await page.goto(kairos.url);
    await page.getByTestId('chart-empty').filter({ hasText: 'No runs in the last 24 hours.' }).waitFor();
  });

  it('makes a schedule with the API defaults: a 300 s timeout and a 1 s backoff', async () => {
    await page.goto(`${kairos.url}/#/schedules/new`);
    await page.getByRole('textbox', { name: 'Name' }).fill('defaults');
    await page.getByRole('combobox', { name: 'Assistant' }).selectOption(assistantId);
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByRole('heading', { name: 'defaults', level: 1 }).waitFor();
    const made = await byName('defaults');
    const fromApi = await api<Schedule>('POST', '/api/v1/schedules', {
      name: 'from-api',
      assistant_id: assistantId,
      schedule: '0 9 * * 1-5',
    });
    expect(made?.timeout).toBe(300);
    expect(made?.timeout).toBe(fromApi.timeout);
    expect(made?.retry.backoff.initial_s).toBe(1);
    expect(made?.retry.backoff).toEqual(fromApi.retry.backoff);
  });

  it('reopens a raw cron on the Cron tab, as written, and saves it unchanged', async () => {
    const raw = await api<Schedule>('POST', '/api/v1/schedules', {
      name: 'every-seven',
      assistant_id: assistantId,
      schedule: { cron: '*/7 * * * *', timezone: 'UTC' },
    });
    await page.goto(`${kairos.url}/#/schedules/${raw.id}/edit`);
    await page.getByRole('radio', { name: 'Cron' }).waitFor();
    expect(await page.getByRole('radio', { name: 'Cron' }).isChecked()).toBe(true);
    expect(await page.getByLabel('Cron expression').inputValue()).toBe('*/7 * * * *');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'every-seven', level: 1 }).waitFor();
    expect((await byName('every-seven'))?.schedule).toEqual({ cron: '*/7 * * * *', timezone: 'UTC' });
  });

  it('shows the DST policies in plain words, whole', async () => {
    await page.goto(`${kairos.url}/#/schedules/new`);
    const back = page.getByLabel('When clocks go back (a time happens twice)');
    const forward = page.getByLabel('When clocks go forward (a time is skipped)');
    expect(await back.locator('option').allTextContents()).toEqual([
      'The usual cron rule',
      'Run once, the first time',
      'Run once, the second time',
      'Run both times',
    ]);
    expect(await forward.locator('option').allTextContents()).toEqual([
      'The usual cron rule',
      'Run right after the jump',
      'Do not run that time',
    ]);
    for (const [select, values] of [
      [back, ['', 'first', 'last', 'both']],
      [forward, ['', 'shift', 'skip']],
    ] as const) {
      for (const value of values) {
        await select.selectOption(value);
        // The chosen option's text fits its select (with room for the arrow): nothing is cut off.
        const widths = (await page.evaluate(measureDstSelects)) as Array<{
          text: string;
          text_px: number;
          box_px: number;
        }>;
        for (const width of widths) expect(width.text_px + 30, width.text).toBeLessThanOrEqual(width.box_px);
      }
    }
  });

  it('flags an unclosed {{ in the template like an unknown variable, and saves nothing', async () => {
    await page.goto(`${kairos.url}/#/schedules/new`);
    await page.getByRole('textbox', { name: 'Name' }).fill('unclosed');
    await page.getByRole('combobox', { name: 'Assistant' }).selectOption(assistantId);
    await page.getByLabel('Input template').fill('Report for {{date');
    await page.getByText('Unclosed variable: {{date needs a closing }}').waitFor();
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByText('Unclosed variable: {{date needs a closing }}').waitFor();
    expect(await byName('unclosed')).toBeUndefined();
  });

  it('asks for a schedule no more once it is deleted from its page', async () => {
    const doomed = await api<Schedule>('POST', '/api/v1/schedules', {
      name: 'doomed',
      assistant_id: assistantId,
      schedule: '0 9 * * *',
    });
    await page.goto(`${kairos.url}/#/schedules/${doomed.id}`);
    await page.getByRole('heading', { name: 'doomed', level: 1 }).waitFor();
    const after: string[] = [];
    let deleted = false;
    const listed: string[] = [];
    page.on('request', (request) => {
      if (deleted && request.url().includes(doomed.id)) after.push(`${request.method()} ${request.url()}`);
      if (deleted && /\/api\/v1\/schedules\?/.test(request.url())) listed.push(request.url());
    });
    page.on('response', (response) => {
      if (response.request().method() === 'DELETE' && response.url().includes(doomed.id)) deleted = true;
    });
    await page.getByLabel('More actions for doomed').click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog', { name: 'Delete “doomed”?' }).getByRole('button', { name: 'Delete doomed' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    // The list page has read the schedules afresh since the delete: any refetch of the deleted
    // schedule's page would have been sent by now.
    await expect.poll(() => listed.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(after).toEqual([]);
    expect(browser.errors.filter((e) => e.includes('404'))).toEqual([]);
  });
});
