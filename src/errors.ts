/**
 * The one error class services throw for problems a caller can fix. `code` is stable (clients
 * switch on it), `status` is the HTTP status where it crosses the API, `details` carries the
 * field-level facts (which field, which value, what is allowed).
 */
export class KairosError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, message: string, options: { status?: number; details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KairosError';
    this.code = code;
    this.status = options.status ?? 400;
    this.details = options.details;
  }
}

export const notFound = (what: string, id: string) =>
  new KairosError('not_found', `${what} ${id} was not found (or is not yours)`, { status: 404, details: { id } });

export const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new KairosError('invalid_request', `${field}: ${message}`, { status: 422, details: { field, ...details } });
