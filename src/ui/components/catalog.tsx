import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { assistantsApi, schedulesApi, workflowsApi } from '../api/endpoints.ts';
import type { Assistant, Schedule } from '../../sdk/index.ts';
import { usePoll } from '../hooks/use-poll.ts';
import { describeSchedule } from '../lib/schedule-view.ts';

interface Catalog {
  schedules: Schedule[] | undefined;
  assistants: Assistant[] | undefined;
  error: Error | undefined;
  scheduleName: (id: string | null | undefined) => string | undefined;
  assistantName: (id: string | null | undefined) => string | undefined;
  workflowName: (id: string | null | undefined) => string | undefined;
  /** Drops a deleted schedule at once (the next poll would, a few seconds later). */
  forgetSchedule: (id: string) => void;
  /** The schedule in words, with its zone. */
  describe: (schedule: Schedule) => string;
}

const CatalogContext = createContext<Catalog>({
  schedules: undefined,
  assistants: undefined,
  error: undefined,
  scheduleName: () => undefined,
  assistantName: () => undefined,
  workflowName: () => undefined,
  forgetSchedule: () => undefined,
  describe: describeSchedule,
});

/** The schedules, assistants and workflows the caller can see, polled once for every page that needs them. */
export function CatalogProvider({ children }: { children: ReactNode }) {
  const schedules = usePoll((signal) => schedulesApi.listAll(undefined, signal).then((page) => page.data), [], 3000);
  const assistants = usePoll(() => assistantsApi.list().then((page) => page.data), [], 5000);
  const workflows = usePoll(() => workflowsApi.list().then((page) => page.data), [], 10_000);
  const [forgotten, setForgotten] = useState<ReadonlySet<string>>(new Set());
  const value = useMemo<Catalog>(() => {
    const scheduleNames = new Map((schedules.data ?? []).map((s) => [s.id, s.name]));
    const assistantNames = new Map((assistants.data ?? []).map((a) => [a.id, a.name]));
    const workflowNames = new Map((workflows.data ?? []).map((w) => [w.id, w.name]));
    return {
      schedules: schedules.data?.filter((s) => !forgotten.has(s.id)),
      assistants: assistants.data,
      error: schedules.error ?? assistants.error,
      scheduleName: (id) => (id ? scheduleNames.get(id) : undefined),
      assistantName: (id) => (id ? assistantNames.get(id) : undefined),
      workflowName: (id) => (id ? workflowNames.get(id) : undefined),
      describe: describeSchedule,
      forgetSchedule: (id) => setForgotten((set) => new Set(set).add(id)),
    };
  }, [forgotten, schedules.data, assistants.data, workflows.data, schedules.error, assistants.error]);
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): Catalog {
  return useContext(CatalogContext);
}
