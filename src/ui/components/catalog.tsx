import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { assistantsApi, schedulesApi } from '../api/endpoints.ts';
import type { Assistant, Schedule } from '../../sdk/index.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { describeSchedule } from '../lib/schedule-view.ts';

interface Catalog {
  schedules: Schedule[] | undefined;
  assistants: Assistant[] | undefined;
  error: Error | undefined;
  scheduleName: (id: string | null | undefined) => string | undefined;
  assistantName: (id: string | null | undefined) => string | undefined;
  /** The schedule in words, with its zone. */
  describe: (schedule: Schedule) => string;
}

const CatalogContext = createContext<Catalog>({
  schedules: undefined,
  assistants: undefined,
  error: undefined,
  scheduleName: () => undefined,
  assistantName: () => undefined,
  describe: describeSchedule,
});

/** The schedules and assistants the caller can see, polled once for every page that needs them. */
export function CatalogProvider({ children }: { children: ReactNode }) {
  const schedules = usePoll((signal) => schedulesApi.listAll(undefined, signal).then((page) => page.data), [], 3000);
  const assistants = usePoll(() => assistantsApi.list().then((page) => page.data), [], 5000);
  const value = useMemo<Catalog>(() => {
    const scheduleNames = new Map((schedules.data ?? []).map((s) => [s.id, s.name]));
    const assistantNames = new Map((assistants.data ?? []).map((a) => [a.id, a.name]));
    return {
      schedules: schedules.data,
      assistants: assistants.data,
      error: schedules.error ?? assistants.error,
      scheduleName: (id) => (id ? scheduleNames.get(id) : undefined),
      assistantName: (id) => (id ? assistantNames.get(id) : undefined),
      describe: describeSchedule,
    };
  }, [schedules.data, assistants.data, schedules.error, assistants.error]);
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): Catalog {
  return useContext(CatalogContext);
}
