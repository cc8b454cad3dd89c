import type { RunStepRow } from '../store/run-steps.ts';

/** One node of a workflow run as the API shows it (`GET /api/v1/runs/{id}` → `steps`). */
export interface RunStepResource {
  /** Unique within the run: the path with the loop iterations it ran in (`steps[1]@2.steps[0]`). */
  key: string;
  /** The node's place in the definition (`steps[1].steps[0]`). */
  path: string;
  name: string;
  type: RunStepRow['type'];
  status: RunStepRow['status'];
  attempt: number;
  /** The loop iteration (1-based) the node ran in; null outside loops. */
  iteration: number | null;
  started_at: string;
  finished_at: string | null;
  duration_ms: number | null;
  input: unknown;
  output: unknown;
  error: unknown;
  /** A replay's node whose recorded output was reused from the replayed run (not called again). */
  reused: boolean;
  children: RunStepResource[];
}

/** The rows of `run_steps` as a tree (parents before children, siblings in execution order). */
export function stepTree(rows: readonly RunStepRow[]): RunStepResource[] {
  const byKey = new Map<string, RunStepResource>();
  const roots: RunStepResource[] = [];
  const ordered = [...rows].sort(
    (a, b) => a.started_at.getTime() - b.started_at.getTime() || a.ord - b.ord || a.key.localeCompare(b.key),
  );
  for (const row of ordered) {
    byKey.set(row.key, {
      key: row.key,
      path: row.path,
      name: row.name,
      type: row.type,
      status: row.status,
      attempt: row.attempt,
      iteration: row.iteration,
      started_at: row.started_at.toISOString(),
      finished_at: row.finished_at?.toISOString() ?? null,
      duration_ms: row.duration_ms,
      input: row.input,
      output: row.output,
      error: row.error,
      reused: row.reused ?? false,
      children: [],
    });
  }
  for (const row of ordered) {
    const node = byKey.get(row.key)!;
    const parent = row.parent_key === null ? undefined : byKey.get(row.parent_key);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}
