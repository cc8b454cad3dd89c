import { describe, expect, it } from 'vitest';
import type { RunStepRow } from '../../src/store/run-steps.ts';
import { replayPlan } from '../../src/workflows/replay-plan.ts';

let clock = 0;
const row = (key: string, name: string, status: RunStepRow['status'] = 'success'): RunStepRow => ({
  run_id: 'r',
  key,
  parent_key: null,
  path: key.replace(/@\d+/g, ''),
  name,
  type: 'step',
  status,
  attempt: 1,
  iteration: null,
  ord: 0,
  input: null,
  output: null,
  error: null,
  started_at: new Date(++clock),
  finished_at: null,
  duration_ms: null,
});

describe('replayPlan', () => {
  // A parallel node whose branches interleave: a, p (a, b1 of branch 1, c1 of branch 2, b2), z.
  const rows = [
    row('steps[0]', 'a'),
    row('steps[1]', 'p'),
    row('steps[1].steps[0]', 'b1'),
    row('steps[1].steps[1]', 'c1'),
    row('steps[1].steps[0].x', 'b2'),
    row('steps[2]', 'z'),
    row('steps[3]', 'failed', 'error'),
  ];

  it('reuses what started before, never the containers around from_step', () => {
    // b1 finished before c1 started but holds b2, which started after: b1 runs again.
    expect(replayPlan(rows, 'c1')).toEqual({ reuse: ['steps[0]'] });
    expect(replayPlan(rows.slice(0, 4), 'c1')).toEqual({ reuse: ['steps[0]', 'steps[1].steps[0]'] });
  });

  it('drops a finished container with a node inside that runs again', () => {
    expect(replayPlan(rows, 'b2')).toEqual({ reuse: ['steps[0]', 'steps[1].steps[1]'] });
  });

  it('takes a key before a name, reuses only finished nodes, and none without from_step', () => {
    expect(replayPlan(rows, 'steps[2]')).toEqual({
      reuse: ['steps[0]', 'steps[1]', 'steps[1].steps[0]', 'steps[1].steps[1]', 'steps[1].steps[0].x'],
    });
    expect(replayPlan([...rows, row('steps[4]', 'last')], 'last')).toEqual({
      reuse: ['steps[0]', 'steps[1]', 'steps[1].steps[0]', 'steps[1].steps[1]', 'steps[1].steps[0].x', 'steps[2]'],
    });
    expect(replayPlan(rows, undefined)).toEqual({ reuse: [] });
  });

  it('names the valid nodes for an unknown from_step', () => {
    expect(replayPlan(rows, 'nope')).toEqual({ unknown: 'nope', valid: ['a', 'p', 'b1', 'c1', 'b2', 'z', 'failed'] });
  });
});
