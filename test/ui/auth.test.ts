import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, type HeadlessBrowser } from '../helpers/browser.ts';
import { startKairosProcess, type KairosProcess } from '../helpers/kairos-process.ts';
import { buildDashboard } from './build-dashboard.ts';

/** With API keys configured, the dashboard asks for one, keeps it for the session and shows what the key allows. */

let dataDir: string;
let kairos: KairosProcess;
let browser: HeadlessBrowser & { errors: string[] };
let adminKey: string;
let viewerKey: string;

async function post<T>(path: string, body: unknown, key?: string): Promise<T> {
  const response = await fetch(`${kairos.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  await buildDashboard();
  dataDir = mkdtempSync(join(tmpdir(), 'kairos-ui-auth-'));
  kairos = await startKairosProcess({ KAIROS_DATA_DIR: dataDir });
  // Local mode until the first key exists.
  adminKey = (await post<{ key: string }>('/api/v1/keys', { name: 'dashboard' })).key;
  const viewer = await post<{ id: string }>('/api/v1/users', { name: 'val', role: 'viewer' }, adminKey);
  viewerKey = (await post<{ key: string }>('/api/v1/keys', { name: 'val', user_id: viewer.id }, adminKey)).key;
  const anonymous = await fetch(`${kairos.url}/api/v1/schedules`);
  expect(anonymous.status).toBe(401);
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kairos?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 180_000); // starts a server on PGlite and a browser: slow on a loaded machine

describe('dashboard with API keys', () => {
  it('asks for a key, refuses a wrong one and keeps a good one for the session', async () => {
    const { context, page } = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(kairos.url);
    const prompt = page.getByRole('dialog', { name: 'API key required' });
    await prompt.waitFor();
    await screenshot(page, 'key-prompt');
    await prompt.getByLabel('API key').fill('kairos_not-a-real-key');
    await prompt.getByRole('button', { name: 'Continue' }).click();
    await prompt.getByText('That key was not accepted.').waitFor();

    await prompt.getByLabel('API key').fill(adminKey);
    await prompt.getByRole('button', { name: 'Continue' }).click();
    await prompt.waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: '+ New schedule' }).waitFor();
    expect(await page.evaluate<string | null>('sessionStorage.getItem("kairos.apiKey")')).toBe(adminKey);

    // A reload keeps the key: no prompt.
    await page.reload();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByRole('link', { name: '+ New schedule' }).waitFor();
    expect(await prompt.isVisible()).toBe(false);
    await context.close();
  });

  it('shows a viewer no way to change anything', async () => {
    const { context, page } = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(kairos.url);
    const prompt = page.getByRole('dialog', { name: 'API key required' });
    await prompt.getByLabel('API key').fill(viewerKey);
    await prompt.getByRole('button', { name: 'Continue' }).click();
    await prompt.waitFor({ state: 'hidden' });
    await page.getByText('val').first().waitFor();
    await page.getByText('viewer').first().waitFor();
    await page.goto(`${kairos.url}/#/schedules`);
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: '+ New schedule' }).count()).toBe(0);
    await context.close();
  });
});
