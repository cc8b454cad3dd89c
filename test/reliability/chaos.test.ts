import { describe, expect, it } from 'vitest';
import { faultKinds } from '../../chaos/fault-plan.ts';
import { runChaos } from '../../chaos/run-chaos.ts';

// The CI-sized `npm run chaos`: 2 real `kairos serve` replicas on a PostgreSQL cluster of this
// test's own, 20 every-second schedules, every fault once (kill, stop past the lease, restart of
// PostgreSQL, repeated pg_terminate_backend of one replica, a replica 30 s off on its host clock).
// No lag thresholds (the machine is shared): the invariants, and that every fault happened.
describe('chaos, CI-sized (own cluster, 2 replicas, 20 every-second schedules, every fault once)', () => {
  it('loses, doubles and strands nothing, and fences off the frozen replica', { timeout: 900_000 }, async () => {
    const report = await runChaos({
      replicas: 2,
      schedules: 20,
      durationMs: 60_000,
      faults: [...faultKinds],
      rounds: 1,
      seed: 13,
      log: () => {},
    });
    console.log(JSON.stringify(report, null, 2));

    expect(report.faults.map((fault) => fault.kind)).toEqual([...faultKinds]);
    expect(report.occurrences_expected).toBeGreaterThan(20 * 60);
    expect(report.missing_detail).toEqual({ no_run: 0, never_delivered_by_status: {}, samples: [] });
    expect(report.missing).toBe(0);
    expect(report.duplicated).toBe(0);
    expect(report.stuck).toBe(0);
    expect(report.late_writes_landed).toBe(0);
    expect(report.broken).toEqual([]);

    const byKind = Object.fromEntries(report.faults.map((fault) => [fault.kind, fault]));
    // The dropped replica's connections were found by application_name and cut, every time.
    const drop = byKind['pg-drop']!.detail as { application_name: string; terminated: number[] };
    expect(drop.application_name).toMatch(/^kairos-/);
    expect(drop.terminated).toHaveLength(5);
    expect(drop.terminated[0]).toBeGreaterThan(0);
    // The skewed replica measured its host clock 30 s ahead of the database's.
    const skew = byKind.skew!.detail as { host_clock: string; measured_offset_ms: number };
    expect(skew.host_clock).toBe('+30s');
    expect(Math.abs(skew.measured_offset_ms + 30_000)).toBeLessThan(5000);
    // Both replicas said once each way that the database was away during the restart.
    const logs = report.settings.replica_logs as Record<string, { unreachable: number; reachable: number }>;
    for (const log of Object.values(logs)) expect(log.reachable).toBe(log.unreachable);
  });
});
