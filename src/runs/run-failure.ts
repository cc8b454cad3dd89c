import { failureKinds, type FailureKind } from '../store/run-kinds.ts';

/**
 * Why a run did not succeed, in the terms the run history records. `skip` records the run as
 * `skipped` instead of `error` (an inactive assistant, a revoked owner).
 */
export class RunFailure extends Error {
  readonly kind: FailureKind;
  readonly retryable: boolean;
  readonly skip: boolean;
  readonly details: unknown;
  /** Token usage spent before the failure (a `budget` failure records it on the run: it counts). */
  readonly usage: RunFailureUsage | undefined;
  /**
   * Set when the run is not at fault and should run again at this time (ms since the epoch)
   * without using an attempt: its provider asked to wait (a 429 with Retry-After).
   */
  readonly requeueAt: number | undefined;

  constructor(
    kind: FailureKind,
    message: string,
    options: {
      retryable?: boolean;
      skip?: boolean;
      details?: unknown;
      cause?: unknown;
      usage?: RunFailureUsage;
      requeueAt?: number;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunFailure';
    this.kind = kind;
    this.retryable = options.retryable ?? kind === 'assistant_error';
    this.skip = options.skip ?? false;
    this.details = options.details;
    this.usage = options.usage;
    this.requeueAt = options.requeueAt;
  }
}

/** Token usage as runs record it (`runs.usage`). */
export interface RunFailureUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  model?: string;
}

const failureKindSet: ReadonlySet<string> = new Set<string>(failureKinds);

/**
 * `error` as a RunFailure of this module: itself, or a copy of one thrown by another copy of
 * this module (config files are loaded by their own loader, so `instanceof` cannot tell).
 */
export function asRunFailure(error: unknown): RunFailure | undefined {
  if (error instanceof RunFailure) return error;
  const candidate = error as Partial<RunFailure> | null;
  if (typeof candidate !== 'object' || candidate === null || candidate.name !== 'RunFailure') return undefined;
  if (typeof candidate.kind !== 'string' || !failureKindSet.has(candidate.kind)) return undefined;
  return new RunFailure(candidate.kind, String(candidate.message), {
    retryable: candidate.retryable,
    skip: candidate.skip,
    details: candidate.details,
    ...(candidate.usage !== undefined && { usage: candidate.usage }),
    requeueAt: candidate.requeueAt,
    cause: error,
  });
}
