import { z } from 'zod';

/**
 * How long a run may take and how it is retried: the one place the defaults live. Schedules,
 * api runs, trigger deliveries and workflow steps take the same `timeout` and `retry` fields and
 * resolve them here into the run's columns.
 */

/** Seconds a run may take when its creator says nothing (null: no timeout). */
export const defaultTimeoutS = 300;

/** One attempt; backoff 1 s, doubling, at most 300 s between attempts. */
export const defaultRetry = { maxAttempts: 1, initialS: 1, factor: 2, maxS: 300 } as const;

/** A backoff preset, or its shape: `initial_s · factor^(attempt − 1)`, at most `max_s`. */
export const backoffShapeSchema = z.strictObject({
  initial_s: z.number().nonnegative().max(86_400).optional(),
  factor: z.number().min(1).max(100).optional(),
  max_s: z.number().nonnegative().max(86_400).optional(),
});
export const backoffSchema = z.union([z.enum(['exponential', 'fixed', 'none']), backoffShapeSchema]);

/** `retry`: attempts and a backoff (schedules, workflow steps). */
export const retrySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(100),
  backoff: backoffSchema.optional(),
});
export type RetryInput = z.input<typeof retrySchema>;

/** `timeout` in seconds; null: no timeout. */
export const timeoutSchema = z
  .number()
  .min(0.001, 'must be at least 0.001 seconds (a millisecond)')
  .max(7 * 86_400)
  .nullable();

/** A run's retry columns. */
export interface RetryPolicy {
  max_attempts: number;
  retry_backoff_ms: number;
  retry_backoff_factor: number;
  retry_backoff_max_ms: number;
}

/** A run's timeout and retry columns, as createRuns takes them. */
export interface RunPolicy extends RetryPolicy {
  /** Null: no timeout. */
  timeout_ms: number | null;
}

/** `retry` as columns, defaults filled: presets `exponential` (default), `fixed`, `none`, or a shape. */
export function resolveRetry(retry: RetryInput | undefined): RetryPolicy {
  const backoff = retry?.backoff ?? 'exponential';
  const base: RetryPolicy = {
    max_attempts: retry?.max_attempts ?? defaultRetry.maxAttempts,
    retry_backoff_ms: defaultRetry.initialS * 1000,
    retry_backoff_factor: defaultRetry.factor,
    retry_backoff_max_ms: defaultRetry.maxS * 1000,
  };
  if (backoff === 'exponential') return base;
  if (backoff === 'fixed') return { ...base, retry_backoff_factor: 1 };
  if (backoff === 'none') return { ...base, retry_backoff_ms: 0, retry_backoff_factor: 1 };
  return {
    ...base,
    retry_backoff_ms: Math.round((backoff.initial_s ?? defaultRetry.initialS) * 1000),
    retry_backoff_factor: backoff.factor ?? defaultRetry.factor,
    retry_backoff_max_ms: Math.round((backoff.max_s ?? defaultRetry.maxS) * 1000),
  };
}

/** `timeout` (seconds) as milliseconds: undefined takes the default, null is no timeout. */
export function resolveTimeoutMs(timeout: number | null | undefined): number | null {
  return timeout === null ? null : Math.round((timeout ?? defaultTimeoutS) * 1000);
}

/** A run's policy from the `timeout` and `retry` its creator gave (either may be absent). */
export function resolveRunPolicy(given: { timeout?: number | null; retry?: RetryInput | undefined }): RunPolicy {
  return { ...resolveRetry(given.retry), timeout_ms: resolveTimeoutMs(given.timeout) };
}

/** Exponential backoff before attempt `attempt + 1`: `initial · factor^(attempt − 1)`, capped. */
export function retryDelayMs(
  run: { retry_backoff_ms: number; retry_backoff_factor: number; retry_backoff_max_ms: number },
  attempt: number,
): number {
  const delay = run.retry_backoff_ms * run.retry_backoff_factor ** Math.max(0, attempt - 1);
  return Math.round(Math.min(delay, run.retry_backoff_max_ms));
}
