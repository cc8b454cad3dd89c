import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { assistantsApi, schedulesApi, workflowsApi } from '../api/endpoints.ts';
import type { Assistant, Schedule } from '../../sdk/index.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { describeSchedule } from '../lib/schedule-view.ts';

interface Catalog {
  assistants: Assistant[] | undefined;
  error: Error | undefined;
  /** The schedule's name once it is known; asks the server for unknown ids (batched, by id). */
  scheduleName: (id: string | null | undefined) => string | undefined;
  assistantName: (id: string | null | undefined) => string | undefined;
  workflowName: (id: string | null | undefined) => string | undefined;
  /** Drops a deleted schedule's name at once. */
  forgetSchedule: (id: string) => void;
  /** The schedule in words, with its zone. */
  describe: (schedule: Schedule) => string;
}

const CatalogContext = createContext<Catalog>({
  assistants: undefined,
  error: undefined,
  scheduleName: () => undefined,
  assistantName: () => undefined,
  workflowName: () => undefined,
  forgetSchedule: () => undefined,
  describe: describeSchedule,
});

/** At most this many ids in one `?ids=` lookup (the API's limit). */
const idsPerLookup = 200;

/**
 * The assistants and workflows the caller can see (a few hundred at most, polled once for every
 * page), and schedule names looked up by id as tables show them: schedules may be 100,000, so
 * none of the pages reads them all.
 */
export function CatalogProvider({ children }: { children: ReactNode }) {
  const assistants = usePoll(() => assistantsApi.list({ limit: 1000 }).then((page) => page.data), [], 5000);
  const workflows = usePoll(() => workflowsApi.list({ limit: 1000 }).then((page) => page.data), [], 10_000);
  const [scheduleNames, setScheduleNames] = useState<ReadonlyMap<string, string>>(new Map());
  const asked = useRef(new Set<string>());
  const pending = useRef(new Set<string>());

  const lookUp = useCallback(() => {
    const ids = [...pending.current];
    pending.current.clear();
    for (let start = 0; start < ids.length; start += idsPerLookup) {
      const chunk = ids.slice(start, start + idsPerLookup);
      schedulesApi.list({ ids: chunk.join(','), limit: chunk.length }).then(
        (page) => setScheduleNames((names) => new Map([...names, ...page.data.map((s) => [s.id, s.name] as const)])),
        () => chunk.forEach((id) => asked.current.delete(id)), // asked again the next time a table shows it
      );
    }
  }, []);

  const scheduleName = useCallback(
    (id: string | null | undefined) => {
      if (!id) return undefined;
      const name = scheduleNames.get(id);
      if (name === undefined && !asked.current.has(id) && /^[0-9a-f-]{36}$/i.test(id)) {
        asked.current.add(id);
        if (pending.current.size === 0) queueMicrotask(lookUp);
        pending.current.add(id);
      }
      return name;
    },
    [scheduleNames, lookUp],
  );

  const value = useMemo<Catalog>(() => {
    const assistantNames = new Map((assistants.data ?? []).map((a) => [a.id, a.name]));
    const workflowNames = new Map((workflows.data ?? []).map((w) => [w.id, w.name]));
    return {
      assistants: assistants.data,
      error: assistants.error,
      scheduleName,
      assistantName: (id) => (id ? assistantNames.get(id) : undefined),
      workflowName: (id) => (id ? workflowNames.get(id) : undefined),
      forgetSchedule: (id) =>
        setScheduleNames((names) => {
          const next = new Map(names);
          next.delete(id);
          return next;
        }),
      describe: describeSchedule,
    };
  }, [assistants.data, workflows.data, assistants.error, scheduleName]);
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): Catalog {
  return useContext(CatalogContext);
}
