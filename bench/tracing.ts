// What tracing costs when it is off (no OTEL_EXPORTER_OTLP_* set): the spans a run creates
// (run, assistant call, outbound request, trace headers) against the same work without them.
// Usage: npm run bench:tracing [-- --calls 200000]
import { loadavg } from 'node:os';
import { inContext, startRunSpan } from '../src/observability/run-span.ts';
import { inSpan, withTraceHeaders } from '../src/observability/tracing.ts';

const calls = Number(process.argv[process.argv.indexOf('--calls') + 1]) || 200_000;
const run = {
  id: 'r',
  schedule_id: 's',
  schedule_name: 'n',
  assistant_id: 'a',
  run_number: 1,
  trigger: 'schedule',
  attempt: 1,
};
const work = async (): Promise<number> => 1;

async function bare(): Promise<number> {
  return work();
}

async function traced(): Promise<number> {
  const span = startRunSpan(run);
  const value = await inContext(span.context, () =>
    inSpan('invoke_agent x', {}, () => inSpan('POST', {}, async () => (withTraceHeaders({ a: 'b' }), work()))),
  );
  span.end('success', null);
  return value;
}

async function measure(fn: () => Promise<number>): Promise<number> {
  for (let i = 0; i < 10_000; i++) await fn();
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await fn();
  return Number(process.hrtime.bigint() - started) / calls;
}

const rounds = 5;
const results = { bare: [] as number[], traced: [] as number[] };
for (let i = 0; i < rounds; i++) {
  results.bare.push(await measure(bare));
  results.traced.push(await measure(traced));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const b = median(results.bare);
const t = median(results.traced);
console.log(
  `load average ${loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')}; ${calls} calls × ${rounds} rounds, medians`,
);
console.log(`without spans:              ${b.toFixed(0)} ns per run`);
console.log(
  `with spans, tracing off:    ${t.toFixed(0)} ns per run (+${(t - b).toFixed(0)} ns, ${((t - b) / 1e6).toFixed(4)} ms)`,
);
