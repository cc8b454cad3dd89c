/**
 * An error answer of the Kairos API (or a transport failure, `status` 0 and code `network_error`).
 * `code` is the API's stable error code: switch on it, not on the message.
 */
export class KairosApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KairosApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}
