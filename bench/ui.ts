/**
 * bench:ui — time to first render of each dashboard list page with 100,000 schedules and
 * 1,000,000 runs (issue 25: every list page under 1 s).
 *
 * Loads the rows into a fresh schema of TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test) with INSERT … SELECT generate_series, starts
 * `kairos serve` on it (nothing is due: every schedule fires in 2030), and opens each page in
 * Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium). "First render" is from the
 * navigation to the moment the page shows its first rows and its server total; each page is
 * loaded three times and the median printed. The schema is dropped at the end.
 *
 *   npm run bench:ui -- --schedules 100000 --runs 1000000
 *   npm run bench:ui -- --schema NAME   # reuse a loaded schema (migrated first), and keep it
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { localAdminId } from '../src/auth/actor.ts';
import { migrate } from '../src/store/migrate.ts';
import { openPostgres } from '../src/store/postgres-driver.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { startKairosProcess } from '../test/helpers/kairos-process.ts';
import { buildDashboard } from '../test/ui/build-dashboard.ts';

const { values } = parseArgs({
  options: {
    schedules: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    schema: { type: 'string' },
  },
});
const scheduleCount = Number(values.schedules);
const runCount = Number(values.runs);
const repeat = Number(values.repeat);
const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = values.schema ?? `bench_ui_${randomBytes(4).toString('hex')}`;

/** A page and what shows that it rendered its first rows and its total. */
const pages: Array<{ name: string; path: string; ready: string[] }> = [
  { name: 'overview', path: '/#/', ready: ['text=/active schedules of/', '.upcoming li'] },
  {
    name: 'schedules',
    path: '/#/schedules',
    ready: ['[data-testid="schedule-counts"]:has-text("schedules")', 'tr[data-schedule]'],
  },
  { name: 'schedules, search', path: '/#/schedules?q=sched-99999', ready: ['tr[data-schedule="sched-99999"]'] },
  { name: 'runs', path: '/#/runs', ready: ['.runs-table tr[data-run]', '.page-head .muted:has-text("runs")'] },
  { name: 'workflows', path: '/#/workflows', ready: ['tr[data-workflow]'] },
  { name: 'assistants', path: '/#/assistants', ready: ['[data-assistant]'] },
  { name: 'triggers', path: '/#/triggers', ready: ['[data-testid="trigger-count"]'] },
];

async function load(): Promise<number> {
  const db = openPostgres({ connectionString: databaseUrl, schema, poolSize: 2 });
  await migrate(db);
  const started = performance.now();
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO assistants (owner_id, name, kind, config) VALUES ($1, 'agent', 'http', '{"url":"https://agent.example/run"}') RETURNING id`,
    [localAdminId],
  );
  const assistantId = rows[0]!.id;
  await db.query(
    `INSERT INTO workflows (owner_id, name, definition) SELECT $1, 'flow-' || g,
       jsonb_build_object('name', 'flow-' || g, 'steps', jsonb_build_array(jsonb_build_object('type', 'step', 'name', 'a', 'assistant_id', $2::text)))
     FROM generate_series(1, 20) g`,
    [localAdminId, assistantId],
  );
  await db.query(
    `INSERT INTO schedules (owner_id, name, assistant_id, kind, cron, timezone, next_run_at, consecutive_failures)
     SELECT $1, 'sched-' || g, $2, 'cron', '0 9 * * *', 'UTC', $3::timestamptz + g * interval '1 second',
            CASE WHEN g % 1000 = 0 THEN 5 ELSE 0 END
     FROM generate_series(1, $4::int) g`,
    [localAdminId, assistantId, '2030-01-01T00:00:00Z', scheduleCount],
  );
  const chunk = 100_000;
  const now = Date.now();
  for (let from = 0; from < runCount; from += chunk) {
    const to = Math.min(runCount, from + chunk) - 1;
    // Run g: schedule 1 + g mod N, created (30 days × g / runs) ago, one in 50 failed.
    await db.query(
      `WITH s AS (SELECT array_agg(id ORDER BY created_at, id) AS ids FROM schedules)
       INSERT INTO runs (schedule_id, assistant_id, owner_id, trigger, scheduled_for, not_before, status, error_kind, error,
         created_at, started_at, finished_at, duration_ms, run_number)
       SELECT s.ids[1 + g % $8::int], $2, $1, 'schedule', t, t,
              CASE WHEN g % 50 = 0 THEN 'error' ELSE 'success' END,
              CASE WHEN g % 50 = 0 THEN 'assistant_error' END, CASE WHEN g % 50 = 0 THEN 'HTTP 500' END,
              t, t + interval '100 ms', t + interval '300 ms', 200, g / $8::int + 1
       FROM s, generate_series($3::int, $4::int) g,
            LATERAL (SELECT $5::timestamptz - make_interval(secs => ($6::float8 * g / $7) / 1000) AS t) x`,
      [localAdminId, assistantId, from, to, new Date(now), 30 * 86_400_000, runCount, scheduleCount],
    );
  }
  await db.exec('ANALYZE schedules; ANALYZE runs;');
  await db.close();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  await buildDashboard();
  if (values.schema) {
    console.log(`bench:ui — reusing ${schema}`);
  } else {
    console.log(`bench:ui — loading ${scheduleCount} schedules and ${runCount} runs into ${schema}…`);
    const loadSeconds = await load();
    console.log(`loaded in ${loadSeconds.toFixed(1)} s`);
  }
  const kairos = await startKairosProcess({ DATABASE_URL: databaseUrl, KAIROS_DB_SCHEMA: schema }, 180_000);
  const browser = await launchBrowser();
  const results: Array<{ page: string; median_ms: number; max_ms: number }> = [];
  try {
    const { page } = await browser.newPage();
    page.setDefaultTimeout(60_000);
    for (const target of pages) {
      const samples: number[] = [];
      for (let i = 0; i < repeat; i++) {
        await page.goto('about:blank');
        const started = performance.now();
        await page.goto(`${kairos.url}${target.path}`);
        for (const selector of target.ready) await page.locator(selector).first().waitFor();
        samples.push(performance.now() - started);
      }
      samples.sort((a, b) => a - b);
      results.push({
        page: target.name,
        median_ms: Math.round(samples[Math.floor(samples.length / 2)]!),
        max_ms: Math.round(samples.at(-1)!),
      });
    }
  } finally {
    await browser.close();
    await kairos.stop();
    if (!values.schema) {
      const db = openPostgres({ connectionString: databaseUrl, schema, poolSize: 1 });
      await db.exec(`DROP SCHEMA ${schema} CASCADE`);
      await db.close();
    }
  }
  console.table(results);
  const slow = results.filter((r) => r.median_ms > 1000);
  console.log(
    slow.length === 0
      ? 'every list page rendered in under 1 s (median)'
      : `over 1 s: ${slow.map((r) => `${r.page} ${r.median_ms} ms`).join(', ')}`,
  );
}

await main();
