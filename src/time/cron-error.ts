/** Why an expression or a time zone was refused. Stable codes; callers switch on `code`. */
export type CronErrorCode = 'invalid_cron' | 'invalid_timezone';

/**
 * The one error class of `src/time`. The message names the field, the bad value and what is
 * allowed (`hour: 25 is outside 0-23`); `field` and `value` carry the same facts for programs.
 */
export class CronError extends Error {
  readonly code: CronErrorCode;
  readonly field?: string;
  readonly value?: string;

  constructor(code: CronErrorCode, message: string, details: { field?: string; value?: string } = {}) {
    super(message);
    this.name = 'CronError';
    this.code = code;
    if (details.field !== undefined) this.field = details.field;
    if (details.value !== undefined) this.value = details.value;
  }
}
