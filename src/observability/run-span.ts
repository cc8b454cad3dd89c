import { context, trace, type Context } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, tracer, tracingActive } from './tracing.ts';

/** What a run span is named and tagged with. */
export interface TracedRun {
  id: string;
  schedule_id: string | null;
  schedule_name: string | null;
  assistant_id: string | null;
  workflow_id?: string | null;
  run_number: number | null;
  trigger: string;
  attempt: number;
}

export interface RunSpan {
  /** The context to execute the run in, so that assistant calls and steps are its children. */
  readonly context: Context;
  /** Ends the span with the run's outcome (`retry` when another attempt follows). */
  end(status: string, errorKind: string | null, error?: string | null): void;
}

/** One span per run attempt, attributes as docs/observability says; a no-op without tracing. */
const noRunSpan: RunSpan = { context: context.active(), end() {} };

export function startRunSpan(run: TracedRun): RunSpan {
  if (!tracingActive()) return noRunSpan;
  const span = tracer().startSpan(run.schedule_name ? `run ${run.schedule_name}` : `run ${run.trigger}`, {
    kind: SpanKind.INTERNAL,
    attributes: {
      'kairos.run.id': run.id,
      'kairos.run.trigger': run.trigger,
      'kairos.run.attempt': run.attempt,
      ...(run.run_number !== null && { 'kairos.run.number': run.run_number }),
      ...(run.schedule_id !== null && { 'kairos.schedule.id': run.schedule_id }),
      ...(run.schedule_name !== null && { 'kairos.schedule.name': run.schedule_name }),
      ...(run.assistant_id !== null && { 'kairos.assistant.id': run.assistant_id }),
      ...(run.workflow_id ? { 'kairos.workflow.id': run.workflow_id } : {}),
    },
  });
  return {
    context: trace.setSpan(context.active(), span),
    end(status, errorKind, error) {
      span.setAttribute('kairos.run.status', status);
      if (errorKind) span.setAttribute('kairos.run.error_kind', errorKind);
      if (status !== 'success' && status !== 'skipped')
        span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? status });
      span.end();
    },
  };
}

/** Runs `fn` with `ctx` active (the run span as parent of what `fn` starts). */
export function inContext<T>(ctx: Context, fn: () => Promise<T>): Promise<T> {
  return tracingActive() ? context.with(ctx, fn) : fn();
}
