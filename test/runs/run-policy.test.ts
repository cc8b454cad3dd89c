import { describe, expect, it } from 'vitest';
import { resolveRetry, resolveRunPolicy, resolveTimeoutMs, retryDelayMs } from '../../src/runs/run-policy.ts';
import { canTransition, finalStatuses, runStatuses } from '../../src/runs/run-status.ts';

describe('the run policy: one place for the timeout and retry defaults', () => {
  it('fills the defaults: 300 s, one attempt, 1 s doubling up to 300 s', () => {
    expect(resolveRunPolicy({})).toEqual({
      timeout_ms: 300_000,
      max_attempts: 1,
      retry_backoff_ms: 1000,
      retry_backoff_factor: 2,
      retry_backoff_max_ms: 300_000,
    });
    expect(resolveTimeoutMs(null)).toBeNull();
    expect(resolveTimeoutMs(0.0015)).toBe(2);
  });

  it('resolves the presets and a shape, keeping the defaults a shape leaves out', () => {
    expect(resolveRetry({ max_attempts: 3, backoff: 'fixed' })).toMatchObject({
      max_attempts: 3,
      retry_backoff_ms: 1000,
      retry_backoff_factor: 1,
    });
    expect(resolveRetry({ max_attempts: 2, backoff: 'none' })).toMatchObject({
      retry_backoff_ms: 0,
      retry_backoff_factor: 1,
    });
    expect(resolveRetry({ max_attempts: 4, backoff: { initial_s: 0.25, max_s: 2 } })).toEqual({
      max_attempts: 4,
      retry_backoff_ms: 250,
      retry_backoff_factor: 2,
      retry_backoff_max_ms: 2000,
    });
    const shape = resolveRetry({ max_attempts: 5, backoff: { initial_s: 0.25, max_s: 2 } });
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(shape, attempt))).toEqual([250, 500, 1000, 2000, 2000]);
  });
});

describe('run statuses and their transitions', () => {
  it('a final run never moves; a running run may go back to pending (a retry), a pending one may not finish well unstarted', () => {
    for (const status of finalStatuses) for (const to of runStatuses) expect(canTransition(status, to)).toBe(false);
    expect(canTransition('running', 'pending')).toBe(true);
    expect(canTransition('pending', 'running')).toBe(true);
    expect(canTransition('pending', 'success')).toBe(false);
    expect([...finalStatuses].sort()).toEqual(['cancelled', 'error', 'skipped', 'success', 'timeout']);
  });
});
