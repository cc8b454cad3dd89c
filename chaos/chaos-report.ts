import type { Delivery } from './chaos-agent.ts';
import type { FaultRecord } from './faults.ts';

/** A run as the report reads it from the database after recovery. */
export interface ReportRun {
  id: string;
  schedule_id: string;
  scheduled_for: Date;
  status: string;
  error_kind: string | null;
}

export interface ChaosReportInput {
  scheduleIds: readonly string[];
  /** The checked window, whole seconds: every schedule must fire once at each second in [from, to). */
  from: number;
  to: number;
  runs: readonly ReportRun[];
  deliveries: readonly Delivery[];
  faults: readonly FaultRecord[];
  /** Terminal events of one attempt written twice (a late write that was not fenced off). */
  lateWritesLanded: number;
  fencedRefused: number;
  settings: Record<string, unknown>;
}

export interface FaultOutcome {
  kind: string;
  target: string | null;
  started_at: string;
  ended_at: string;
  detail: Record<string, unknown>;
  /** From the end of the fault until three whole seconds in a row fired on time (every occurrence within 1 s); null: never. */
  back_on_time_ms: number | null;
  /** Occurrences from the fault's start until then that reached the agent over 1 s late. */
  late_runs: number;
}

export interface ChaosReport {
  settings: Record<string, unknown>;
  window: { from: string; to: string; seconds: number };
  occurrences_expected: number;
  runs_created: number;
  missing: number;
  missing_detail: {
    no_run: number;
    never_delivered_by_status: Record<string, number>;
    samples: Array<{ schedule_id: string; scheduled_for: string; status: string }>;
  };
  duplicated: number;
  redelivered: number;
  redelivered_detail: { after_agent_error: number; same_attempt_twice: number };
  late_beyond_5s: number;
  stuck: number;
  fenced_writes_refused: number;
  late_writes_landed: number;
  runs_by_status: Record<string, number>;
  lag_ms_outside_faults: { count: number; p50: number | null; p99: number | null; max: number | null };
  faults: FaultOutcome[];
  /** The invariants that broke (missing, duplicated, stuck, late writes landed); empty: all held. */
  broken: string[];
}

const onTimeMs = 1000;
const steadySeconds = 3;

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Works out the figures of a chaos run from its runs, the agent's deliveries and the faults. */
export function buildChaosReport(input: ChaosReportInput): ChaosReport {
  const { from, to } = input;
  const byOccurrence = new Map<string, ReportRun[]>();
  const byStatus: Record<string, number> = {};
  for (const run of input.runs) {
    const key = `${run.schedule_id}|${run.scheduled_for.getTime()}`;
    byOccurrence.set(key, [...(byOccurrence.get(key) ?? []), run]);
    const label = run.error_kind && run.status !== 'success' ? `${run.status}/${run.error_kind}` : run.status;
    byStatus[label] = (byStatus[label] ?? 0) + 1;
  }
  const duplicated = [...byOccurrence.values()].filter((runs) => runs.length > 1).length;

  const perKey = new Map<string, Delivery[]>();
  for (const delivery of input.deliveries) perKey.set(delivery.key, [...(perKey.get(delivery.key) ?? []), delivery]);
  let redelivered = 0;
  let afterAgentError = 0;
  let sameAttemptTwice = 0;
  for (const list of perKey.values()) {
    if (list.length < 2) continue;
    redelivered++;
    if (list.slice(0, -1).some((delivery) => delivery.status !== 200)) afterAgentError++;
    if (new Set(list.map((delivery) => delivery.attempt)).size < list.length) sameAttemptTwice++;
  }

  // Lag of each occurrence in the window: its first delivery minus its time.
  let noRun = 0;
  const neverDelivered: Record<string, number> = {};
  const samples: Array<{ schedule_id: string; scheduled_for: string; status: string }> = [];
  const lagBySecond = new Map<number, number[]>();
  for (let second = from; second < to; second += 1000) lagBySecond.set(second, []);
  for (const scheduleId of input.scheduleIds) {
    for (let second = from; second < to; second += 1000) {
      const run = byOccurrence.get(`${scheduleId}|${second}`)?.[0];
      if (!run) {
        noRun++;
        if (samples.length < 10)
          samples.push({ schedule_id: scheduleId, scheduled_for: new Date(second).toISOString(), status: 'no run' });
        lagBySecond.get(second)!.push(Infinity);
        continue;
      }
      const first = perKey.get(run.id)?.[0];
      if (!first) {
        neverDelivered[run.status] = (neverDelivered[run.status] ?? 0) + 1;
        if (samples.length < 10)
          samples.push({
            schedule_id: scheduleId,
            scheduled_for: new Date(second).toISOString(),
            status: `${run.status}/${run.error_kind ?? '-'}`,
          });
        lagBySecond.get(second)!.push(Infinity);
        continue;
      }
      lagBySecond.get(second)!.push(first.receivedAt - second);
    }
  }
  const missing = noRun + Object.values(neverDelivered).reduce((a, b) => a + b, 0);
  const onTime = (second: number) => (lagBySecond.get(second) ?? [Infinity]).every((lag) => lag < onTimeMs);

  const windows: Array<[number, number]> = [];
  const faults: FaultOutcome[] = input.faults.map((fault) => {
    let back: number | undefined;
    for (let second = Math.floor(fault.endedAt / 1000) * 1000; second + steadySeconds * 1000 <= to; second += 1000) {
      let steady = true;
      for (let k = 0; k < steadySeconds && steady; k++) steady = onTime(second + k * 1000);
      if (steady) {
        back = second;
        break;
      }
    }
    const windowEnd = back !== undefined ? back + steadySeconds * 1000 : to;
    windows.push([fault.startedAt, windowEnd]);
    let late = 0;
    for (let second = Math.ceil(fault.startedAt / 1000) * 1000; second < Math.min(windowEnd, to); second += 1000) {
      late += (lagBySecond.get(second) ?? []).filter((lag) => lag >= onTimeMs).length;
    }
    return {
      kind: fault.kind,
      target: fault.target,
      started_at: new Date(fault.startedAt).toISOString(),
      ended_at: new Date(fault.endedAt).toISOString(),
      detail: fault.detail,
      back_on_time_ms: back === undefined ? null : Math.max(0, back - fault.endedAt),
      late_runs: late,
    };
  });

  const quiet: number[] = [];
  let lateBeyond5s = 0;
  for (const [second, lags] of lagBySecond) {
    lateBeyond5s += lags.filter((lag) => Number.isFinite(lag) && lag > 5000).length;
    if (windows.some(([start, end]) => second + 1000 > start && second < end)) continue;
    quiet.push(...lags.filter(Number.isFinite));
  }
  quiet.sort((a, b) => a - b);

  const stuck = input.runs.filter((run) => run.status === 'pending' || run.status === 'running').length;
  const broken: string[] = [];
  if (missing > 0) broken.push(`missing: ${missing} occurrences never reached the agent`);
  if (duplicated > 0) broken.push(`duplicated: ${duplicated} occurrences have two runs`);
  if (stuck > 0) broken.push(`stuck: ${stuck} runs pending or running after recovery`);
  if (input.lateWritesLanded > 0)
    broken.push(`late writes landed: ${input.lateWritesLanded} attempts were recorded twice`);

  return {
    settings: input.settings,
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), seconds: (to - from) / 1000 },
    occurrences_expected: input.scheduleIds.length * ((to - from) / 1000),
    runs_created: input.runs.length,
    missing,
    missing_detail: { no_run: noRun, never_delivered_by_status: neverDelivered, samples },
    duplicated,
    redelivered,
    redelivered_detail: { after_agent_error: afterAgentError, same_attempt_twice: sameAttemptTwice },
    late_beyond_5s: lateBeyond5s,
    stuck,
    fenced_writes_refused: input.fencedRefused,
    late_writes_landed: input.lateWritesLanded,
    runs_by_status: byStatus,
    lag_ms_outside_faults: {
      count: quiet.length,
      p50: percentile(quiet, 50),
      p99: percentile(quiet, 99),
      max: quiet.at(-1) ?? null,
    },
    faults,
    broken,
  };
}
