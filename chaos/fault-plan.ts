export const faultKinds = ['kill', 'stop', 'pg-restart', 'pg-drop', 'skew'] as const;
export type FaultKind = (typeof faultKinds)[number];

/** One planned fault: its kind and when it starts, in ms after the schedules start firing. */
export interface PlannedFault {
  kind: FaultKind;
  atMs: number;
}

/**
 * The faults of a run, one after another, cycling through `kinds`: the first after a warm-up,
 * then one every `slotMs` (a fault's own length plus a quiet time to recover and measure), until
 * `durationMs` is used up, or `rounds` cycles are done. At least one round, even when it needs
 * longer than `durationMs`: every fault asked for happens.
 */
export function planFaults(options: {
  kinds: readonly FaultKind[];
  durationMs: number;
  slotMs: number;
  warmupMs: number;
  rounds?: number;
}): PlannedFault[] {
  const plan: PlannedFault[] = [];
  if (options.kinds.length === 0) return plan;
  for (let i = 0; ; i++) {
    const atMs = options.warmupMs + i * options.slotMs;
    const round = Math.floor(i / options.kinds.length);
    if (options.rounds !== undefined && round >= options.rounds) break;
    if (round > 0 && atMs + options.slotMs > options.durationMs) break;
    plan.push({ kind: options.kinds[i % options.kinds.length]!, atMs });
  }
  return plan;
}

/** Parses `--faults kill,stop,…`; names what is wrong. */
export function parseFaultKinds(text: string): FaultKind[] {
  const kinds = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const kind of kinds) {
    if (!(faultKinds as readonly string[]).includes(kind))
      throw new Error(`--faults: "${kind}" is not a fault; use a comma-separated list of ${faultKinds.join(', ')}`);
  }
  return kinds as FaultKind[];
}
