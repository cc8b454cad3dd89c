import { describe, expect, it } from 'vitest';
import { FullPeriods } from '../../src/worker/full-periods.ts';
import { decideLate, type LateRun, type WorkerHistory } from '../../src/worker/late-runs.ts';

// What a run past its start deadline does (docs/scheduling.md, "Start deadline, late runs and
// capacity"): the misfire policy decides; `capacity` only after a whole window without a slot.
const run = (extra: Partial<LateRun> = {}): LateRun => ({
  id: 'r',
  scheduleId: 's',
  misfire: 'run_all',
  catchupWindowMs: 3_600_000,
  occurrence: 1000,
  notBefore: 1000,
  startDeadline: 2000,
  ...extra,
});
const connected: WorkerHistory = { connectedSince: 0, fullThroughout: () => false };
const full: WorkerHistory = { connectedSince: 0, fullThroughout: () => true };

describe('decideLate', () => {
  it('run_all starts late within the catch-up window, then gives up', () => {
    expect(decideLate(run(), connected, 5000, false)).toEqual({ kind: 'start_late', until: 3_601_000 });
    expect(decideLate(run(), full, 5000, false)).toEqual({ kind: 'start_late', until: 3_601_000 });
    expect(decideLate(run(), connected, 3_601_000, false)).toMatchObject({ kind: 'give_up', reason: 'missed' });
    expect(decideLate(run(), full, 3_601_000, false)).toMatchObject({ kind: 'give_up', reason: 'capacity' });
  });

  it('run_once: the newest starts late, an older one with a newer due run gives up', () => {
    expect(decideLate(run({ misfire: 'run_once' }), connected, 5000, false).kind).toBe('start_late');
    expect(decideLate(run({ misfire: 'run_once' }), connected, 5000, true)).toMatchObject({
      kind: 'give_up',
      reason: 'missed',
      error: expect.stringMatching(/a later run stands for it/),
    });
  });

  it('run_once under overload: a run held back only by busy slots starts late (delayed, not dropped)', () => {
    expect(decideLate(run({ misfire: 'run_once' }), full, 5000, true)).toEqual({
      kind: 'start_late',
      until: 3_601_000,
    });
    // At the catch-up cap it gives up, as capacity.
    expect(decideLate(run({ misfire: 'run_once' }), full, 3_601_000, true)).toMatchObject({
      kind: 'give_up',
      reason: 'capacity',
    });
  });

  it('skip: missed, or capacity only when every slot was busy for the whole window while connected', () => {
    expect(decideLate(run({ misfire: 'skip' }), connected, 5000, false)).toMatchObject({ reason: 'missed' });
    expect(decideLate(run({ misfire: 'skip' }), full, 5000, false)).toMatchObject({ reason: 'capacity' });
    // Full, but the worker connected after the run was due (an outage, a restart): not capacity.
    const outage: WorkerHistory = { connectedSince: 3000, fullThroughout: () => true };
    expect(decideLate(run({ misfire: 'skip' }), outage, 5000, false)).toMatchObject({
      reason: 'missed',
      error: expect.stringMatching(/could reach the database/),
    });
  });

  it('outside schedules: late within an hour, shed as capacity when every slot was busy', () => {
    const api = run({ scheduleId: null, misfire: null, catchupWindowMs: null });
    expect(decideLate(api, connected, 5000, false)).toEqual({ kind: 'start_late', until: 3_601_000 });
    expect(decideLate(api, full, 5000, false)).toMatchObject({ kind: 'give_up', reason: 'capacity' });
  });
});

describe('FullPeriods', () => {
  it('full throughout a window only when no slot was free at any moment of it', () => {
    const periods = new FullPeriods();
    periods.update(0, 1, 2);
    periods.update(100, 2, 2); // full from 100
    periods.update(500, 1, 2); // free at 500
    periods.update(600, 2, 2); // full again from 600, still
    expect(periods.fullThroughout(100, 500)).toBe(true);
    expect(periods.fullThroughout(200, 400)).toBe(true);
    expect(periods.fullThroughout(50, 400)).toBe(false);
    expect(periods.fullThroughout(400, 700)).toBe(false);
    expect(periods.fullThroughout(600, 900)).toBe(true);
  });
});
