import type { Schedule, ScheduleStats } from '../../sdk/index.ts';
import { formatInstant, zoneAbbreviation } from './format.ts';

/** A schedule's spec as the pages read it: its kind and the one field of that kind set. */
export interface SpecView {
  kind: 'cron' | 'once' | 'interval' | undefined;
  cron: string | null;
  at: string | null;
  every: string | number | null;
  timezone: string;
}

/** The schedule's spec with its kind named. */
export function specOf(schedule: Pick<Schedule, 'schedule'>): SpecView {
  const spec = schedule.schedule;
  const cron = 'cron' in spec ? spec.cron : null;
  const at = 'at' in spec ? spec.at : null;
  const every = 'every' in spec ? spec.every : null;
  const kind = cron ? 'cron' : at ? 'once' : every ? 'interval' : undefined;
  return { kind, cron, at, every, timezone: spec.timezone ?? 'UTC' };
}

/** 420 → `7m`, 5400 → `1h30m`, 45 → `45s`. */
function compactSeconds(total: number): string {
  const parts: string[] = [];
  let rest = Math.round(total);
  for (const [size, unit] of [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
    [1, 's'],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('') || '0s';
}

/** `every` (seconds, or text like `15m`) in words: "Every 15 minutes". */
export function describeEvery(every: string | number): string {
  const value = typeof every === 'number' ? every : /^\d+(\.\d+)?$/.test(every) ? Number(every) : undefined;
  if (value === undefined) return `Every ${every}`;
  const units: Array<[number, string]> = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, unit] of units) {
    if (value >= size && value % size === 0) {
      const n = value / size;
      return n === 1 ? `Every ${unit}` : `Every ${n} ${unit}s`;
    }
  }
  return `Every ${value} seconds`;
}

/**
 * "At 09:00, Monday through Friday, America/New_York": the API's `description` of the schedule,
 * with the zone of a cron. A one-time schedule is shown at its instant in its own zone (the API
 * words it in UTC). Without a description (an older server), the cron itself stands in.
 */
export function describeSchedule(schedule: Schedule): string {
  const spec = specOf(schedule);
  if (spec.at)
    return `Once at ${formatInstant(spec.at, spec.timezone)} ${zoneAbbreviation(spec.at, spec.timezone)}, ${spec.timezone}`;
  if (spec.every !== null && spec.every !== undefined) return schedule.description ?? describeEvery(spec.every);
  const words = schedule.description ?? spec.cron ?? '';
  return words.includes(spec.timezone) ? words : `${words}, ${spec.timezone}`;
}

/** What the schedule runs, as the technical expression: the cron, `every 15m`, or the instant. */
export function expressionOf(schedule: Schedule): string {
  const spec = specOf(schedule);
  if (spec.cron) return spec.cron;
  if (spec.every) return `every ${typeof spec.every === 'number' ? compactSeconds(spec.every) : spec.every}`;
  if (spec.at) return `at ${new Date(spec.at).toISOString().replace('.000Z', 'Z')}`;
  return '';
}

export function alertThreshold(schedule: Schedule): number {
  return schedule.alert_after ?? 3;
}

export function isFailing(schedule: Schedule): boolean {
  return (schedule.consecutive_failures ?? 0) >= alertThreshold(schedule);
}

export function isPaused(schedule: Schedule): boolean {
  return schedule.status ? schedule.status === 'paused' : !schedule.enabled;
}

export function statsCounts(stats: Pick<ScheduleStats, 'by_status'> | undefined): Record<string, number> {
  return stats?.by_status ?? {};
}

export function statsReasons(stats: ScheduleStats | undefined): Record<string, number> {
  return stats?.by_reason ?? {};
}

/** The success rate (0–1) of a stats answer, computed from counts when not given. */
export function successRate(stats: Pick<ScheduleStats, 'by_status' | 'success_rate'> | undefined): number | null {
  if (!stats) return null;
  if (typeof stats.success_rate === 'number')
    return stats.success_rate > 1 ? stats.success_rate / 100 : stats.success_rate;
  const counts = statsCounts(stats);
  const finished = ['success', 'error', 'timeout', 'cancelled'].reduce((sum, key) => sum + (counts[key] ?? 0), 0);
  return finished === 0 ? null : (counts.success ?? 0) / finished;
}
