import { useEffect, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { schedulesApi } from '../api/endpoints.ts';
import type { Preview, ScheduleSpec } from '../api/types.ts';

export interface PreviewState {
  times: string[];
  description: string | undefined;
  error: ApiError | undefined;
  loading: boolean;
}

/** The fire times a preview answer lists, whether as ISO strings or `{at}` objects. */
export function previewTimes(preview: Preview | undefined): string[] {
  const list = (preview?.times ?? []) as unknown[];
  return list
    .map((item) => (typeof item === 'string' ? item : ((item as { at?: string; time?: string } | null)?.at ?? (item as { time?: string } | null)?.time)))
    .filter((item): item is string => typeof item === 'string');
}

/** Asks the API for the next `count` fire times and the description as the spec changes (debounced). */
export function usePreview(spec: ScheduleSpec | undefined, count: number, delayMs = 250): PreviewState {
  const [state, setState] = useState<PreviewState>({ times: [], description: undefined, error: undefined, loading: false });
  const key = JSON.stringify(spec ?? null);
  useEffect(() => {
    if (!spec) {
      setState({ times: [], description: undefined, error: undefined, loading: false });
      return;
    }
    let cancelled = false;
    setState((previous) => ({ ...previous, loading: true }));
    const timer = window.setTimeout(() => {
      schedulesApi.preview(spec, count).then(
        (preview) => !cancelled && setState({ times: previewTimes(preview), description: preview.description ?? undefined, error: undefined, loading: false }),
        (error: unknown) =>
          !cancelled &&
          setState({
            times: [],
            description: undefined,
            error: error instanceof ApiError ? error : new ApiError(0, 'network', (error as Error).message),
            loading: false,
          }),
      );
    }, delayMs);
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
    };
    // `key` stands for `spec`.
  }, [key, count, delayMs]);
  return state;
}
