import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`); never a downloaded browser. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const screenshotDir = join(process.cwd(), 'test-output', 'screenshots');

export interface HeadlessBrowser {
  browser: Browser;
  /** A fresh context (own storage) with one page. */
  newPage(options?: {
    width?: number;
    height?: number;
    colorScheme?: 'light' | 'dark';
  }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/**
 * Launches headless chromium with a throwaway profile. Every console error and page error is
 * collected in `errors` so that a test can assert the dashboard logged none.
 */
export async function launchBrowser(): Promise<HeadlessBrowser & { errors: string[] }> {
  if (!existsSync(chromiumPath)) throw new Error(`chromium not found at ${chromiumPath}: apt-get install -y chromium`);
  // Playwright gives every launch a fresh temporary --user-data-dir of its own (it refuses one
  // in `args`), so no profile outlives the test.
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const errors: string[] = [];
  return {
    browser,
    errors,
    async newPage({ width = 1440, height = 900, colorScheme = 'light' } = {}) {
      const context = await browser.newContext({
        viewport: { width, height },
        colorScheme,
        timezoneId: 'Europe/Berlin',
        locale: 'en-GB',
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
      return { context, page };
    },
    async close() {
      await browser.close();
    },
  };
}

/** Saves a full-page screenshot as test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
