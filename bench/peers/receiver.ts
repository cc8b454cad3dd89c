/** The local HTTP receiver that Kairos's `http` assistant POSTs to, and the POST floor is measured against. */
import { startReceiver as startBenchReceiver } from '../receiver.ts';
import type { Start } from './workload.ts';

export interface Receiver {
  url: string;
  starts: Start[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const starts: Start[] = [];
  const rx = await startBenchReceiver((body, at) => {
    const run = body as { schedule_id?: string; scheduled_for?: string; floor?: boolean };
    if (!run.floor && run.schedule_id && run.scheduled_for)
      starts.push({ key: run.schedule_id, nominal: Date.parse(run.scheduled_for), at });
  });
  return { ...rx, starts };
}
