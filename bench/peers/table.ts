/** The printed table of bench:peers: every peer's figures and their ratios to Kairos's. */
import type { FireResult, HerdResult, LateOutcomes, PerRunCosts, SustainedResult, Workload } from './workload.ts';

export type Outcome = { ok: true; result: FireResult | HerdResult | SustainedResult } | { ok: false; note: string };
export type Results = Map<string, Partial<Record<Workload, Outcome>>>;

const ratio = (value: number | null | undefined, base: number | null | undefined) =>
  value == null || base == null || base <= 0 ? '–' : `${(Math.round((value / base) * 100) / 100).toFixed(2)}×`;

/** The headline figure of a workload: fire lag p99, herd time until the last start. */
export function headline(workload: Workload, outcome: Outcome | undefined): number | null {
  if (!outcome?.ok) return null;
  if (workload === 'sustained') return (outcome.result as SustainedResult).highest_clean_rate;
  return workload === 'herd'
    ? (outcome.result as HerdResult).last_started_after_ms
    : (outcome.result as FireResult).lag_ms.p99;
}

function cell(workload: Workload, outcome: Outcome | undefined): string {
  if (!outcome) return 'not run';
  if (!outcome.ok) return '– (see notes)';
  if (workload === 'sustained') {
    const r = outcome.result as SustainedResult;
    const tried = r.rates.map(
      (step) => `${step.rate}/s p99 ${step.lag_ms.p99 ?? '–'} ms${lateCell(step.late, step.missing)}`,
    );
    return `${r.highest_clean_rate ?? 'none'}/s clean (${tried.join('; ')})`;
  }
  if (workload === 'herd') {
    const r = outcome.result as HerdResult;
    const bound = r.started < r.jobs ? '> ' : '';
    return `${bound}${r.last_started_after_ms ?? '–'} ms (${r.started}/${r.jobs}, dup ${r.duplicated}, miss ${r.missing}${costCell(r.per_run)})`;
  }
  const r = outcome.result as FireResult;
  return `${r.lag_ms.p50 ?? '–'}/${r.lag_ms.p99 ?? '–'}/${r.lag_ms.max ?? '–'} ms (dup ${r.duplicated}, miss ${r.missing}/${r.expected}${lateCell(r.late, r.missing)}${costCell(r.per_run)})`;
}

/** Kairos: how many late runs only started late, and how many were lost (by status/reason). */
function lateCell(late: LateOutcomes | undefined, missing: number): string {
  if (!late) return missing > 0 ? ', lost: unknown' : '';
  const lost = Object.entries(late.lost).map(([kind, n]) => `${n} ${kind}`);
  if (late.pending > 0) lost.push(`${late.pending} still pending`);
  return `, late ${late.only_late}, lost ${lost.length > 0 ? lost.join(' + ') : 0}`;
}

function costCell(costs: PerRunCosts | undefined): string {
  return costs ? `; ${costs.statements} statements, ${costs.round_trips} round trips per run` : '';
}

/** Markdown-ish rows: figures per workload, then each headline's ratio to Kairos http and module. */
export function renderTable(results: Results, workloads: Workload[]): string {
  const http = results.get('kairos (http)') ?? {};
  const module = results.get('kairos (module)') ?? {};
  const header = [
    'peer',
    ...workloads.map((w) =>
      w === 'herd'
        ? 'herd: last start after due'
        : w === 'sustained'
          ? 'sustained: highest clean rate'
          : `${w}: lag p50/p99/max`,
    ),
    ...workloads.flatMap((w) => [`${w} ÷ kairos http`, `${w} ÷ kairos module`]),
  ];
  const rows = [...results].map(([name, byWorkload]) => [
    name,
    ...workloads.map((w) => cell(w, byWorkload[w])),
    ...workloads.flatMap((w) => [
      ratio(headline(w, byWorkload[w]), headline(w, http[w])),
      ratio(headline(w, byWorkload[w]), headline(w, module[w])),
    ]),
  ]);
  const notes = [...results].flatMap(([name, byWorkload]) =>
    Object.entries(byWorkload).flatMap(([w, o]) => (o && !o.ok ? [`- ${name}, ${w}: ${o.note}`] : [])),
  );
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
