import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { startHttpAgentServer, type HttpAgentServer } from '../helpers/http-agent-server.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/** The assistant form in Chromium: every kind offered, an AgentOS agent test-called and saved, a template error shown. */

const token = 'agno-ui-secret-41d2';
let dataDir: string;
let kairos: KairosProcess;
let agentOs: HttpAgentServer;
let browser: HeadlessBrowser & { errors: string[] };
let page: Page;

beforeAll(async () => {
  await buildDashboard();
  agentOs = await startHttpAgentServer((request) => {
    const form = new URLSearchParams(String(request.body));
    return {
      body: {
        run_id: 'r-1',
        session_id: 'sess-ui',
        content: `AgentOS heard: ${form.get('message')}`,
        status: 'COMPLETED',
      },
    };
  });
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-form-'));
  kairos = await startKairosProcess(
    { KAIROS_DATA_DIR: dataDir, KAIROS_HTTP_ALLOW_PRIVATE: 'true', AGNO_UI_TOKEN: token },
    150_000,
  );
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
  page.setDefaultTimeout(15_000);
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  await agentOs?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('assistant form', () => {
  it('offers every kind', async () => {
    await page.goto(`${kairos.url}/#/assistants/new`);
    const kinds = await page
      .getByLabel('Kind')
      .locator('option')
      .evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value));
    expect(kinds).toEqual(['http', 'llm', 'module', 'agentos', 'langgraph', 'a2a']);
  });

  it('test-calls an AgentOS agent, showing the raw request (secret redacted) and answer, then saves it', async () => {
    await page.goto(`${kairos.url}/#/assistants/new`);
    await page.getByLabel('Name').fill('agno-researcher');
    await page.getByLabel('Kind').selectOption('agentos');
    await page.getByLabel('Base URL').fill(agentOs.url);
    await page.getByLabel('Runs an AgentOS').selectOption('team_id');
    await page.getByLabel('Team').fill('research');
    await page.getByLabel('Headers (JSON)').fill('{"Authorization": {"env": "AGNO_UI_TOKEN"}}');
    await page.getByText('Test call', { exact: true }).click();
    await page.getByLabel('Test input').fill('what is new?');
    await page.getByRole('button', { name: 'Run test call' }).click();
    const status = page.getByRole('status').filter({ hasText: /Succeeded in/ });
    await status.waitFor();
    const request = await page.getByLabel('Request', { exact: true }).textContent();
    expect(request).toContain('message=what+is+new%3F');
    expect(request).toContain('stream=false');
    expect(request).toContain('authorization: [redacted]');
    expect(await page.getByLabel('Response', { exact: true }).textContent()).toContain('AgentOS heard: what is new?');
    expect(await page.content()).not.toContain(token);
    expect(agentOs.requests.at(-1)!.path).toBe('/teams/research/runs');
    expect(agentOs.requests.at(-1)!.headers.authorization).toBe(token);
    await screenshot(page, 'assistant-test-call');

    await page.getByRole('button', { name: 'Create assistant' }).click();
    await page.getByRole('article', { name: 'agno-researcher' }).waitFor();
    const list = (await (await fetch(`${kairos.url}/api/v1/assistants?name=agno-researcher`)).json()) as {
      data: Array<{ kind: string; config: unknown }>;
    };
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({
      kind: 'agentos',
      config: { base_url: agentOs.url, team_id: 'research', headers: { Authorization: { env: 'AGNO_UI_TOKEN' } } },
    });
  });

  it('shows a template error at the body field and saves nothing', async () => {
    await page.goto(`${kairos.url}/#/assistants/new`);
    await page.getByLabel('Name').fill('bad-template');
    await page.getByLabel('Endpoint URL').fill(`${agentOs.url}/hook`);
    await page.getByLabel('Body template (JSON)').fill('{"text": "Hi {{inptu.name}}"}');
    await page.getByRole('button', { name: 'Create assistant' }).click();
    const body = page.getByLabel('Body template (JSON)');
    await page.locator('textarea[aria-invalid="true"]').waitFor();
    expect(await body.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('form').textContent()).toContain('{{inptu.name}}');
    const list = (await (await fetch(`${kairos.url}/api/v1/assistants?name=bad-template`)).json()) as {
      data: unknown[];
    };
    expect(list.data).toHaveLength(0);
  });

  it('logged no errors in the browser', () => {
    expect(browser.errors.filter((e) => !e.includes('Failed to load resource'))).toEqual([]);
  });
});
