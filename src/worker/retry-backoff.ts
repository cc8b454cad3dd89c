/** Exponential backoff before attempt `attempt + 1`: `initial · factor^(attempt − 1)`, capped. */
export function retryDelayMs(
  run: { retry_backoff_ms: number; retry_backoff_factor: number; retry_backoff_max_ms: number },
  attempt: number,
): number {
  const delay = run.retry_backoff_ms * run.retry_backoff_factor ** Math.max(0, attempt - 1);
  return Math.round(Math.min(delay, run.retry_backoff_max_ms));
}
