import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { createTestDatabase, testDatabaseUrl, uniqueSchema, type TestDatabase } from '../helpers/databases.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/** The "Connect an agent" page and an agent-made schedule, in Chromium against `kairos serve` (local mode, PostgreSQL). */
describe('dashboard: connecting agents', () => {
  const schema = uniqueSchema('ui_tools');
  let test: TestDatabase;
  let kairos: KairosProcess;
  let browser: HeadlessBrowser & { errors: string[] };
  let page: Page;

  beforeAll(async () => {
    await buildDashboard();
    test = await createTestDatabase('postgres', { schema });
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

  it('shows the /mcp URL and ready snippets without any key (local mode)', async () => {
    await page.goto(`${kairos.url}/#/connect`);
    await page.getByRole('heading', { name: 'Connect an agent', level: 1 }).waitFor();
    expect(await page.getByTestId('mcp-url').textContent()).toBe(`${kairos.url}/mcp`);
    const cursor = JSON.parse((await page.getByTestId('snippet-cursor').textContent())!) as {
      mcpServers: { kairos: { url: string; headers?: unknown } };
    };
    expect(cursor.mcpServers.kairos).toEqual({ url: `${kairos.url}/mcp` }); // local mode: no header to send
    // The server (listening on loopback) reports where its bin/kairos.js is; the snippet uses it.
    const cli = fileURLToPath(new URL('../../bin/kairos.js', import.meta.url));
    await page
      .getByTestId('snippet-claude-desktop')
      .filter({ hasText: JSON.stringify(cli) })
      .waitFor();
    const claude = JSON.parse((await page.getByTestId('snippet-claude-desktop').textContent())!) as {
      mcpServers: { kairos: { args: string[]; env: Record<string, string> } };
    };
    expect(claude.mcpServers.kairos.args).toEqual([cli, 'mcp']);
    expect(claude.mcpServers.kairos.env).toEqual({ KAIROS_URL: kairos.url });
    expect(await page.getByTestId('snippet-functions').textContent()).toContain(`${kairos.url}/api/v1/tools`);
    await page.getByRole('link', { name: 'Connect an agent' }).waitFor();
    await screenshot(page, 'connect-agent');
    expect(browser.errors).toEqual([]);
  });

  it("says on a schedule's page which agent created it, linking the run", async () => {
    const assistant = await insertAssistant(test.db, {
      ownerId: localAdminId,
      name: 'planner',
      kind: 'http',
      config: { url: 'https://agent.example/run' },
    });
    const created = await fetch(`${kairos.url}/api/v1/schedules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: assistant.id, name: 'agent-made', schedule: '0 9 * * 1-5' }),
    });
    const { id } = (await created.json()) as { id: string };
    const runId = '11111111-2222-4333-8444-555555555555';
    // As the tool loop records it (the API offers no way to claim an agent made a schedule).
    await test.db.query('UPDATE schedules SET created_by = $2::jsonb WHERE id = $1', [
      id,
      JSON.stringify({ kind: 'agent', run_id: runId, assistant_id: assistant.id }),
    ]);
    await page.goto(`${kairos.url}/#/schedules/${id}`);
    const line = page.getByTestId('created-by');
    await line.filter({ hasText: 'Created by the agent planner' }).waitFor();
    expect(await line.getByRole('link', { name: 'a run' }).getAttribute('href')).toContain(`/runs/${runId}`);
  });
});
