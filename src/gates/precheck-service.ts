import { addressGuardFromEnvironment, type AddressGuard } from '../agents/address-guard.ts';
import { assertCanWrite, type Actor } from '../auth/actor.ts';
import { parseInput } from '../parse-input.ts';
import type { Database } from '../store/database.ts';
import { z } from 'zod';
import { runPrecheck, type PrecheckResponse } from './precheck-check.ts';
import { precheckGate, type GatedRun } from './precheck-gate.ts';
import { checkPrecheckShape, invalidPrecheck, precheckSchema, type Precheck } from './precheck-spec.ts';

export interface PrecheckServiceOptions {
  db: Database;
  /** The outbound-address guard of assistants (KAIROS_HTTP_ALLOW_PRIVATE, KAIROS_HTTP_ALLOW_HOSTS, local mode). */
  guard?: AddressGuard;
  /** Where `{"env": NAME}` header values are read; the process environment by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** `POST /schedules/precheck/test`: a precheck run once, as a fire at `fire_at` (default now) with `input` would run it. */
export const precheckTestSchema = z.strictObject({
  precheck: precheckSchema,
  input: z.json().optional(),
  fire_at: z.iso.datetime({ offset: true }).optional(),
});
export type PrecheckTestInput = z.input<typeof precheckTestSchema>;

/** What a test of a precheck found: the response, the verdict (null when it failed) and what `on_error` would do. */
export interface PrecheckTestResult {
  verdict: boolean | null;
  /** What a fire would do: `run` (the agent is called) or `skip` (recorded skipped, reason precheck). */
  decision: 'run' | 'skip';
  response: PrecheckResponse | null;
  ms: number;
  error: string | null;
}

/**
 * Prechecks (docs/gates.md): checked when a schedule or a trigger is saved, tried from the
 * dashboard ("Test now"), and run by the worker before a run's first attempt.
 *
 * @example
 * await prechecks.validate({ http: { url: 'https://api.example.com/inbox' }, condition: 'response.body.count > 0' });
 * await prechecks.gate(run, emit); // in the worker: throws a `precheck` RunFailure (skipped) when false
 */
export class PrecheckService {
  private readonly guard: AddressGuard;
  private readonly env: Readonly<Record<string, string | undefined>>;

  constructor(private readonly options: PrecheckServiceOptions) {
    this.guard = options.guard ?? addressGuardFromEnvironment();
    this.env = options.env ?? process.env;
  }

  /**
   * Checks a precheck about to be saved (already shaped by its schema): the condition compiles over
   * the known variables, the timeout parses, the URL passes the address guard. `invalid_precheck`
   * (422) naming the field otherwise. Null and undefined pass (none, or unchanged).
   */
  async validate(precheck: Precheck | null | undefined, prefix = 'precheck'): Promise<void> {
    if (precheck === null || precheck === undefined) return;
    checkPrecheckShape(precheck, prefix);
    if (!precheck.http) return;
    try {
      await this.guard.checkUrl(new URL(precheck.http.url));
    } catch (error) {
      throw invalidPrecheck(`${prefix}.http.url`, (error as Error).message, {
        host: new URL(precheck.http.url).hostname,
      });
    }
  }

  /** Runs a precheck once without a run (nothing is stored), for the dashboard's "Test now". */
  async test(actor: Actor, body: PrecheckTestInput): Promise<PrecheckTestResult> {
    assertCanWrite(actor, 'test prechecks');
    const input = parseInput(precheckTestSchema, body);
    await this.validate(input.precheck);
    const outcome = await runPrecheck(
      input.precheck,
      {
        last_run: null,
        last_precheck: null,
        fire_at: input.fire_at ? new Date(input.fire_at) : new Date(),
        input: input.input ?? null,
      },
      { guard: this.guard, env: this.env },
    );
    const onError = input.precheck.on_error ?? 'run';
    return {
      verdict: outcome.verdict,
      decision: outcome.verdict === null ? onError : outcome.verdict ? 'run' : 'skip',
      response: outcome.response,
      ms: outcome.ms,
      error: outcome.error,
    };
  }

  /** The worker's gate before a run's first attempt (see precheckGate). */
  gate(run: GatedRun, signal: AbortSignal, emit: (kind: string, data?: unknown) => Promise<unknown>): Promise<void> {
    return precheckGate({ db: this.options.db, guard: this.guard, env: this.env, signal }, run, emit);
  }
}
