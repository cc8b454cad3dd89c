import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { schedulesApi } from '../api/endpoints.ts';
import type { DstTransitionEffect, SchedulePreview, ScheduleSpec } from '../../sdk/index.ts';
import type { PreviewExtras } from '../api/endpoints.ts';

export interface PreviewState {
  times: string[];
  description: string | undefined;
  /** Upcoming occurrences skipped by excluded dates. */
  excluded: string[];
  /** The effect of the zone's next DST change (cron schedules). */
  dst: DstTransitionEffect | undefined;
  error: ApiError | undefined;
  loading: boolean;
}

/** The fire times a preview answer lists, whether as ISO strings or `{at}` objects. */
export function previewTimes(preview: SchedulePreview | undefined): string[] {
  const list = (preview?.times ?? []) as unknown[];
  return list
    .map((item) =>
      typeof item === 'string'
        ? item
        : ((item as { at?: string; time?: string } | null)?.at ?? (item as { time?: string } | null)?.time),
    )
    .filter((item): item is string => typeof item === 'string');
}

/** Asks the API for the next `count` fire times and the description as the spec changes (debounced). */
export function usePreview(
  spec: ScheduleSpec | undefined,
  count: number,
  delayMs = 250,
  extras: PreviewExtras = {},
): PreviewState {
  const [state, setState] = useState<PreviewState>({
    times: [],
    description: undefined,
    excluded: [],
    dst: undefined,
    error: undefined,
    loading: false,
  });
  const key = JSON.stringify([spec ?? null, extras]);
  useEffect(() => {
    if (!spec) {
      setState({ times: [], description: undefined, excluded: [], dst: undefined, error: undefined, loading: false });
      return;
    }
    let cancelled = false;
    setState((previous) => ({ ...previous, loading: true }));
    const timer = window.setTimeout(() => {
      schedulesApi.preview(spec, count, extras).then(
        (preview) =>
          !cancelled &&
          setState({
            times: previewTimes(preview),
            description: preview.description ?? undefined,
            excluded: preview.excluded ?? [],
            dst: preview.dst ?? undefined,
            error: undefined,
            loading: false,
          }),
        (error: unknown) =>
          !cancelled &&
          setState({
            times: [],
            description: undefined,
            excluded: [],
            dst: undefined,
            error: error instanceof ApiError ? error : new ApiError(0, 'network', (error as Error).message),
            loading: false,
          }),
      );
    }, delayMs);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
    // `key` stands for `spec` and `extras`.
  }, [key, count, delayMs]);
  return state;
}
