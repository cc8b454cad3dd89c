import { occurrenceSpecOf } from '../next-fire.ts';
import { parseScheduleInput, previewSchema, type PreviewInput } from '../schedule-input.ts';
import { previewOccurrences, type OccurrencePreview } from '../schedule-preview.ts';
import { dstColumns, specColumns } from '../schedule-spec.ts';
import type { ScheduleContext } from './schedule-context.ts';

export type SchedulePreview = OccurrencePreview;

/** The next `count` fire times of a schedule spec (not saved), for live previews. */
export function previewSchedule(
  context: ScheduleContext,
  body: PreviewInput,
  options: { count?: number; from?: Date } = {},
): SchedulePreview {
  const input = parseScheduleInput(previewSchema, body);
  const now = options.from?.getTime() ?? context.options.clock.now();
  const startAt = input.start_at ? new Date(input.start_at) : null;
  const columns = specColumns(input.schedule, context.rules, now, startAt);
  const spec = occurrenceSpecOf({
    ...columns,
    start_at: startAt,
    end_at: input.end_at ? new Date(input.end_at) : null,
    ...dstColumns(input.dst),
    exclude_dates: input.exclude_dates ?? [],
  });
  const count = Math.min(Math.max(options.count ?? 5, 1), 100);
  return previewOccurrences(spec, now, count, { seconds: context.rules.allowSeconds });
}
