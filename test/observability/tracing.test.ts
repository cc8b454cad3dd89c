import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdminId } from '../../src/auth/actor.ts';
import { createLogger } from '../../src/logger.ts';
import { startTracing, tracingConfigFrom, type Tracing } from '../../src/observability/tracing.ts';
import { insertAssistant } from '../../src/store/assistants.ts';
import { findRun } from '../../src/store/runs.ts';
import { createAssistantService } from '../../src/agents/assistant-service.ts';
import { createAssistantExecution } from '../../src/agents/execute-assistant.ts';
import { createModuleRegistry } from '../../src/agents/module-registry.ts';
import { systemClock } from '../../src/clock.ts';
import { WorkerPool } from '../../src/worker/worker-pool.ts';
import { WorkflowService } from '../../src/workflows/workflow-service.ts';
import { admin, createEngine, logger, type Engine } from '../engine/harness.ts';
import { startOpenAiServer, type OpenAiServer } from '../helpers/openai-server.ts';
import { startOtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.ts';
import { waitFor } from '../helpers/wait-for.ts';

// The global tracer provider is per process: this file (its own fork) registers one.
describe('OpenTelemetry traces (postgres, a local OTLP/HTTP receiver)', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let tracing: Tracing;
  let engine: Engine;
  let provider: OpenAiServer;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const config = tracingConfigFrom({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: 'kairos-test',
    });
    tracing = await startTracing(config, createLogger('silent'));
    engine = await createEngine('postgres');
    provider = await startOpenAiServer();
    await engine.worker.start();
  });
  afterAll(async () => {
    await engine?.close();
    await tracing?.close();
    await provider?.close();
    await receiver?.close();
  });

  const finished = (id: string) =>
    waitFor(
      async () => {
        const row = await findRun(engine.db, id);
        return row && row.status !== 'pending' && row.status !== 'running' ? row : undefined;
      },
      { timeoutMs: 20_000 },
    );
  const spansOf = async (runId: string, count: number): Promise<ReceivedSpan[]> => {
    await engine.worker.idle();
    await tracing.flush();
    const runSpan = await waitFor(() => receiver.spans.find((span) => span.attributes['kairos.run.id'] === runId), {
      message: 'the run span',
    });
    return waitFor(
      () => {
        const inTrace = receiver.spans.filter((span) => span.traceId === runSpan.traceId);
        return inTrace.length >= count ? inTrace : undefined;
      },
      { message: `${count} spans in the run's trace` },
    );
  };

  it('is off without an endpoint', () => {
    expect(tracingConfigFrom({}).tracesUrl).toBeUndefined();
    expect(tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracesUrl).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracingConfigFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).tracesUrl,
    ).toBeUndefined();
  });

  it('exports a scheduled http run as a span with its children, and sends the agent its traceparent', async () => {
    const schedule = await engine.schedules.create(admin, {
      assistant_id: engine.assistantId,
      name: 'nightly report',
      schedule: { cron: '0 0 1 1 *' },
    });
    const run = await engine.schedules.trigger(admin, schedule.id);
    expect((await finished(run.id)).status).toBe('success');
    const spans = await spansOf(run.id, 3);

    const runSpan = spans.find((span) => span.attributes['kairos.run.id'] === run.id)!;
    expect(runSpan).toMatchObject({ name: 'run nightly report', parentSpanId: '', service: 'kairos-test' });
    expect(runSpan.attributes).toMatchObject({
      'kairos.schedule.id': schedule.id,
      'kairos.schedule.name': 'nightly report',
      'kairos.run.number': 1,
      'kairos.run.trigger': 'manual',
      'kairos.run.attempt': 1,
      'kairos.run.status': 'success',
    });
    const agentSpan = spans.find((span) => span.name === 'invoke_agent echo')!;
    expect(agentSpan.parentSpanId).toBe(runSpan.spanId);
    const httpSpan = spans.find((span) => span.name === 'POST')!;
    expect(httpSpan.parentSpanId).toBe(agentSpan.spanId);
    expect(httpSpan.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(httpSpan.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });

    const request = engine.server.requests.at(-1)!;
    expect(request.headers.traceparent).toBe(`00-${runSpan.traceId}-${httpSpan.spanId}-01`);
  });

  it('marks a failed run and carries GenAI model and token attributes for an llm call', async () => {
    const llm = await insertAssistant(engine.db, {
      ownerId: localAdminId,
      name: 'writer',
      kind: 'llm',
      config: { base_url: provider.baseUrl, model: 'test-model' },
    });
    const ok = await engine.runs.create(admin, { assistant_id: llm.id, input: 'write a haiku' });
    expect((await finished(ok.id)).status).toBe('success');
    const spans = await spansOf(ok.id, 3);
    const chat = spans.find((span) => span.name === 'chat test-model')!;
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'test-model',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
    });
    expect(spans.find((span) => span.name === 'POST')!.parentSpanId).toBe(chat.spanId);

    provider.setMode({ kind: 'fail', status: 400, message: 'bad request' });
    const failed = await engine.runs.create(admin, { assistant_id: llm.id, input: 'again' });
    expect((await finished(failed.id)).status).toBe('error');
    const failedSpan = (await spansOf(failed.id, 3)).find((span) => span.attributes['kairos.run.id'] === failed.id)!;
    expect(failedSpan.attributes).toMatchObject({
      'kairos.run.status': 'error',
      'kairos.run.error_kind': 'assistant_error',
    });
    expect(failedSpan.status.code).toBe(2); // STATUS_CODE_ERROR
  });

  it('exports a workflow run: a span per node under the run, each step’s assistant call under its node', async () => {
    const config = { http: { allowPrivate: true, allowHosts: [] }, threadMaxMessages: 200 };
    const registry = createModuleRegistry([]);
    const workflows = new WorkflowService({
      db: engine.db,
      clock: systemClock,
      assistants: createAssistantService({ db: engine.db, config, registry }),
      registry,
      startDeadlineMs: 300_000,
    });
    const workflow = await workflows.create(admin, {
      name: 'traced pipeline',
      steps: [
        { type: 'step', name: 'research', assistant_id: engine.assistantId },
        {
          type: 'parallel',
          name: 'drafts',
          steps: [
            { type: 'step', name: 'a', assistant_id: engine.assistantId },
            { type: 'step', name: 'b', assistant_id: engine.assistantId },
          ],
        },
      ],
    });
    const worker = new WorkerPool({
      db: engine.db,
      clock: systemClock,
      logger,
      workerId: 'traced-workflows',
      pollIntervalMs: 60_000,
      config: { slots: 1, leaseMs: 30_000, heartbeatMs: 10_000, shutdownGraceMs: 1000, startDeadlineMs: 300_000 },
      execution: createAssistantExecution({ db: engine.db, logger, config, registry }),
    });
    await engine.worker.close();
    const run = await workflows.run(admin, workflow.id, { input: 'topic' });
    expect(await worker.tick()).toHaveLength(1);
    await worker.idle();
    await worker.close();
    expect((await finished(run.id)).status).toBe('success');
    await tracing.flush();
    // run, 4 nodes (research, drafts, a, b), 3 assistant calls, 3 POSTs
    const spans = await spansOf(run.id, 11);
    const byName = (name: string) => spans.find((span) => span.name === name)!;
    const runSpan = spans.find((span) => span.attributes['kairos.run.id'] === run.id)!;
    expect(runSpan.attributes['kairos.workflow.id']).toBe(workflow.id);
    expect(byName('workflow.step research').parentSpanId).toBe(runSpan.spanId);
    const drafts = byName('workflow.parallel drafts');
    expect(drafts.parentSpanId).toBe(runSpan.spanId);
    expect(byName('workflow.step a').parentSpanId).toBe(drafts.spanId);
    expect(byName('workflow.step b').attributes).toMatchObject({
      'kairos.workflow.node.type': 'step',
      'kairos.workflow.node.name': 'b',
    });
    const calls = spans.filter((span) => span.name === 'invoke_agent echo');
    expect(calls).toHaveLength(3);
    const nodeIds = new Set(spans.filter((span) => span.name.startsWith('workflow.step ')).map((span) => span.spanId));
    expect(calls.every((call) => nodeIds.has(call.parentSpanId))).toBe(true);
  });
});
