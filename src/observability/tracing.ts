import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { TracingConfig } from '../config.ts';
import type { Logger } from '../logger.ts';

/** Whether a provider is registered: with none, span helpers skip the API altogether (zero cost). */
let exporting = false;

/** True while traces are exported (a provider is registered by {@link startTracing}). */
export function tracingActive(): boolean {
  return exporting;
}

const nothing = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The tracer every span of Kairos comes from: a no-op until {@link startTracing} registers a provider. */
export function tracer(): Tracer {
  return trace.getTracer('kairos');
}

/** Where traces go is configuration (the OTLP variables), parsed with the rest of it. */
export { tracingConfigFrom, type TracingConfig } from '../config.ts';

export interface Tracing {
  readonly enabled: boolean;
  /** Sends what is buffered (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const off: Tracing = { enabled: false, flush: async () => {}, close: async () => {} };

/**
 * Registers an OTLP/HTTP exporter (JSON) as the global tracer provider, with the W3C trace-context
 * propagator, when a traces endpoint is configured. Without one nothing is loaded: the API's
 * no-op tracer costs a function call per span.
 */
export async function startTracing(config: TracingConfig, logger: Logger): Promise<Tracing> {
  if (!config.tracesUrl) return off;
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
  const exporter = new OTLPTraceExporter({ url: config.tracesUrl });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1000 })],
  });
  provider.register();
  exporting = true;
  logger.info({ traces_url: config.tracesUrl }, 'exporting traces (OpenTelemetry, OTLP/HTTP)');
  return {
    enabled: true,
    flush: () => provider.forceFlush(),
    close: async () => {
      exporting = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Runs `fn` inside a new active span and ends it: an error thrown is recorded on the span and
 * rethrown. The span is the parent of every span started inside `fn` (outbound requests, steps).
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  if (!exporting) return fn(nothing);
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {} },
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** The current trace context as W3C headers (`traceparent`, `tracestate`) added to `headers`. */
export function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  if (!exporting) return headers;
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}

export { SpanKind, SpanStatusCode };
