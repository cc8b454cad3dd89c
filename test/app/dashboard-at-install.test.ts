import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// `npx kairos serve` right after `npm install` must find the dashboard built: npm runs `prepare`
// at install, and only `npm start` (prestart) used to build it.
describe('the dashboard is built at install, with the server', () => {
  it('runs the dashboard build in prepare, after the server build', () => {
    const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.prepare).toBe('node scripts/build.js && node scripts/build-ui-if-stale.js');
    expect(scripts.prestart).toBe('node scripts/build-ui-if-stale.js');
  });
});
