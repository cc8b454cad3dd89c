/** Whether an error is PostgreSQL's deadlock (40P01) or serialization failure (40001): safe to run again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '40P01' || code === '40001';
}

/**
 * Runs `transaction` again when PostgreSQL aborted it as a deadlock victim or on a serialization
 * failure (the whole transaction was rolled back, so running it again is safe), up to `attempts`
 * times; any other error, or the last conflict, is thrown.
 *
 * @example
 * await retryConflicts(() => db.transaction(async (tx) => deleteSchedule(tx, id)));
 */
export async function retryConflicts<T>(transaction: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= attempts || !isRetryableConflict(error)) throw error;
    }
  }
}
