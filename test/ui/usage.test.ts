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

// The schedule page's tokens and cost: a real server with a price table, an agent that reports usage.
let dataDir: string;
let kairos: KairosProcess;
let agent: HttpAgentServer;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${kairos.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return (await response.json()) as T;
}

beforeAll(async () => {
  await buildDashboard();
  agent = await startHttpAgentServer(() => ({
    body: {
      answer: 'digest ready',
      model: 'gpt-4o-mini',
      usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
    },
  }));
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-usage-'));
  kairos = await startKairosProcess(
    {
      KAIROS_DATA_DIR: dataDir,
      KAIROS_HTTP_ALLOW_PRIVATE: 'true',
      KAIROS_PRICING: '{"gpt-4o-mini": {"input_per_1k": 1, "output_per_1k": 2}}',
    },
    90_000,
  );
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(15_000);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  await agent?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('dashboard: tokens and cost', () => {
  it('shows tokens per run, per day and their cost on the schedule page', async () => {
    const assistant = await api<{ id: string }>('POST', '/api/v1/assistants', {
      name: 'digest-agent',
      kind: 'http',
      config: { url: `${agent.url}/run` },
    });
    const schedule = await api<{ id: string }>('POST', '/api/v1/schedules', {
      name: 'costly digest',
      assistant_id: assistant.id,
      schedule: { cron: '0 9 * * *', timezone: 'UTC' },
      alert_on_tokens_per_day: 100000,
    });
    for (let i = 0; i < 2; i++) {
      const run = await api<{ id: string }>('POST', `/api/v1/schedules/${schedule.id}/trigger`, {
        overlap: 'override',
      });
      await waitFor(async () => (await api<{ status: string }>('GET', `/api/v1/runs/${run.id}`)).status === 'success', {
        timeoutMs: 30_000,
      });
    }
    await page.goto(`${kairos.url}/#/schedules/${schedule.id}`);
    const card = page.getByRole('region', { name: 'Tokens and cost' });
    // 2 × (1000 × $1 + 200 × $2) / 1000 = $2.80
    await card.getByText('2,400 tokens · $2.80 · alert above 100,000 a day').waitFor();
    const today = new Date().toISOString().slice(0, 10);
    const dayRow = card.locator(`tr[data-day="${today}"]`);
    await expect
      .poll(async () => (await dayRow.locator('td').allInnerTexts()).map((t) => t.trim()))
      .toEqual([today, '2', '2,000', '400', '2,400', '$2.80']);
    const tokenCells = page.locator('table.runs-table td[data-label="Tokens"]');
    await expect.poll(async () => (await tokenCells.allInnerTexts()).map((t) => t.trim())).toEqual(['1,200', '1,200']);
    await screenshot(page, 'schedule-tokens-cost');
    expect(browser.errors).toEqual([]);
  }, 120_000);
});
