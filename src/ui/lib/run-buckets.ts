import type { Bar, Point } from '../components/charts.tsx';
import type { Run } from '../../sdk/index.ts';
import { formatDuration, formatInstant } from './format.ts';

const okStatuses = new Set(['success']);
const badStatuses = new Set(['error', 'timeout', 'cancelled']);

export function runTime(run: Run): number {
  return new Date(run.scheduled_for ?? run.started_at ?? run.created_at ?? 0).getTime();
}

/** Runs grouped into `count` equal buckets ending now, stacked by outcome. */
export function outcomeBars(runs: Run[], now: number, spanMs: number, count: number): Bar[] {
  const size = spanMs / count;
  const start = now - spanMs;
  const buckets = Array.from({ length: count }, () => ({ success: 0, failed: 0, skipped: 0, active: 0 }));
  for (const run of runs) {
    const index = Math.floor((runTime(run) - start) / size);
    const bucket = buckets[index];
    if (!bucket) continue;
    if (okStatuses.has(run.status)) bucket.success++;
    else if (badStatuses.has(run.status)) bucket.failed++;
    else if (run.status === 'skipped') bucket.skipped++;
    else bucket.active++;
  }
  // Each bar is labelled with its start, dated (`Mon 6 Jan, 09:00`), in the viewer's zone.
  const label = (index: number) => formatInstant(new Date(start + index * size).toISOString()).slice(0, -3);
  return buckets.map((bucket, index) => ({
    label: label(index),
    segments: [
      { value: bucket.success, className: 'fill-success', label: 'success' },
      { value: bucket.failed, className: 'fill-error', label: 'failed' },
      { value: bucket.skipped, className: 'fill-skipped', label: 'skipped' },
      { value: bucket.active, className: 'fill-running', label: 'pending/running' },
    ],
  }));
}

/** Duration of each finished run over time; failures are marked. */
export function durationPoints(runs: Run[]): Point[] {
  return runs
    .filter((run) => typeof run.duration_ms === 'number' || (run.started_at && run.finished_at))
    .map((run) => {
      const y = run.duration_ms ?? new Date(run.finished_at!).getTime() - new Date(run.started_at!).getTime();
      return {
        x: runTime(run),
        y,
        className: run.status === 'success' ? 'point' : 'point bad',
        label: `${formatInstant(run.scheduled_for ?? run.started_at)} · ${run.status} · ${formatDuration(y)}`,
      };
    })
    .sort((a, b) => a.x - b.x);
}

/** Success rate (0–1) per bucket, for a rate-over-time line; empty buckets are left out. */
export function ratePoints(runs: Run[], now: number, spanMs: number, count: number): Point[] {
  const size = spanMs / count;
  const start = now - spanMs;
  const buckets = Array.from({ length: count }, () => ({ ok: 0, total: 0 }));
  for (const run of runs) {
    const bucket = buckets[Math.floor((runTime(run) - start) / size)];
    if (!bucket || !(okStatuses.has(run.status) || badStatuses.has(run.status))) continue;
    bucket.total++;
    if (okStatuses.has(run.status)) bucket.ok++;
  }
  return buckets.flatMap((bucket, index) =>
    bucket.total === 0
      ? []
      : [
          {
            x: start + (index + 0.5) * size,
            y: bucket.ok / bucket.total,
            className: bucket.ok === bucket.total ? 'point' : 'point bad',
          },
        ],
  );
}
