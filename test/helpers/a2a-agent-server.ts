import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  A2A_PROTOCOL_VERSION,
  AGENT_CARD_PATH,
  Role,
  TaskState,
  type AgentCard,
  type Message,
  type Part,
  type Task,
} from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { UserBuilder, agentCardHandler, jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';
import express from 'express';

/** What the agent received: the message (text and data parts) and the JSON-RPC method it came by. */
export interface A2AReceived {
  text: string;
  data: unknown;
  contextId: string;
  taskId: string;
}

export interface A2AAgentServer {
  /** `http://127.0.0.1:<port>`: the v1.0 card is at /.well-known/agent-card.json. */
  url: string;
  /** A v0.3 agent card (protocolVersion 0.3.0, `url` + `preferredTransport`) for the compatibility path. */
  legacyCardUrl: string;
  /** A v1.0 card whose only transport is HTTP+JSON (REST), at /a2a/rest. */
  restCardUrl: string;
  /** A v0.3 card with `preferredTransport: "HTTP+JSON"` (the same REST endpoint, v0.3 paths). */
  legacyRestCardUrl: string;
  received: A2AReceived[];
  /**
   * The methods called, in order: JSON-RPC method names (`SendMessage`/`GetTask`/`CancelTask` in
   * v1.0, `message/send`/… in v0.3), and for HTTP+JSON the request line (`POST /message:send`,
   * `GET /tasks/<id>`, `POST /v1/message:send` in v0.3).
   */
  methods: string[];
  /** The `x-agent-token` header of every request (card and JSON-RPC), in order. */
  tokens: Array<string | undefined>;
  /** Task ids whose cancellation the executor was asked for. */
  cancelRequests: string[];
  /** Resolves when a task of the `hang` behaviour is working (so a test can cancel the run). */
  hanging(): Promise<string>;
  close(): Promise<void>;
}

const textPart = (value: string): Part => ({
  content: { $case: 'text', value },
  metadata: undefined,
  filename: '',
  mediaType: 'text/plain',
});
const dataPart = (value: unknown): Part => ({
  content: { $case: 'data', value },
  metadata: undefined,
  filename: '',
  mediaType: 'application/json',
});

function agentMessage(context: RequestContext, parts: Part[]): Message {
  return {
    messageId: `reply-${context.taskId}`,
    contextId: context.contextId,
    taskId: '',
    role: Role.ROLE_AGENT,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/**
 * An A2A agent built with @a2a-js/sdk's own server (DefaultRequestHandler + the express JSON-RPC
 * and HTTP+JSON (REST) handlers, with v0.3 compatibility on). What it does depends on the input text:
 * `message` → a Message; `later` → a Task that completes a moment later with two artifacts;
 * `single` → a Task with one text artifact; `fail` → a Task that fails with a reason; `cancel-self`
 * → a Task the agent cancels; `input` / `auth` → input-required / auth-required; `hang` → a Task
 * that works until it is cancelled; anything else → a Message echoing text and data.
 */
export async function startA2AAgentServer(): Promise<A2AAgentServer> {
  const received: A2AReceived[] = [];
  const methods: string[] = [];
  const cancelRequests: string[] = [];
  const tokens: Array<string | undefined> = [];
  const hangingWaiters: Array<(taskId: string) => void> = [];
  const hangingTasks = new Map<string, () => void>();

  const executor: AgentExecutor = {
    async execute(context: RequestContext, bus: ExecutionEventBus) {
      const message = context.userMessage;
      const text = message.parts.map((part) => (part.content?.$case === 'text' ? part.content.value : '')).join('');
      const data = message.parts.find((part) => part.content?.$case === 'data')?.content?.value;
      received.push({ text, data: data ?? null, contextId: context.contextId, taskId: context.taskId });
      const status = (state: TaskState, reason?: string) =>
        bus.publish(
          AgentEvent.statusUpdate({
            taskId: context.taskId,
            contextId: context.contextId,
            status: {
              state,
              message: reason ? agentMessage(context, [textPart(reason)]) : undefined,
              timestamp: new Date().toISOString(),
            },
            metadata: undefined,
          }),
        );
      const artifact = (name: string, parts: Part[]) =>
        bus.publish(
          AgentEvent.artifactUpdate({
            taskId: context.taskId,
            contextId: context.contextId,
            artifact: {
              artifactId: `${context.taskId}-${name}`,
              name,
              description: '',
              parts,
              metadata: undefined,
              extensions: [],
            },
            append: false,
            lastChunk: true,
            metadata: undefined,
          }),
        );
      const behaviour = text.split(' ')[0];
      if (message.taskId && context.task) {
        // The answer to a task that asked for input: the task completes with it.
        artifact('answer', data === undefined ? [textPart(`answered: ${text}`)] : [dataPart(data)]);
        status(TaskState.TASK_STATE_COMPLETED);
        bus.finished();
        return;
      }
      if (
        behaviour === 'message' ||
        !['later', 'single', 'fail', 'cancel-self', 'input', 'auth', 'hang'].includes(behaviour!)
      ) {
        bus.publish(
          AgentEvent.message(
            agentMessage(
              context,
              data === undefined ? [textPart(`echo: ${text}`)] : [textPart(`echo: ${text}`), dataPart(data)],
            ),
          ),
        );
        bus.finished();
        return;
      }
      const task: Task = {
        id: context.taskId,
        contextId: context.contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [message],
        metadata: undefined,
      };
      bus.publish(AgentEvent.task(task));
      status(TaskState.TASK_STATE_WORKING);
      if (behaviour === 'hang') {
        await new Promise<void>((resolve) => {
          hangingTasks.set(context.taskId, resolve);
          for (const wake of hangingWaiters.splice(0)) wake(context.taskId);
        });
        status(TaskState.TASK_STATE_CANCELED, 'cancelled by the client');
        bus.finished();
        return;
      }
      // The remote agent works on after answering; the client polls until the task ends.
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (behaviour === 'later') {
        artifact('summary', [textPart('all systems nominal')]);
        artifact('figures', [dataPart({ cpu: 0.4 })]);
        status(TaskState.TASK_STATE_COMPLETED);
      } else if (behaviour === 'single') {
        artifact('answer', [textPart(`done: ${text}`)]);
        status(TaskState.TASK_STATE_COMPLETED);
      } else if (behaviour === 'fail') status(TaskState.TASK_STATE_FAILED, 'quota exceeded for this month');
      else if (behaviour === 'cancel-self') status(TaskState.TASK_STATE_CANCELED, 'the operator stopped it');
      else if (behaviour === 'input') status(TaskState.TASK_STATE_INPUT_REQUIRED, 'which region?');
      else status(TaskState.TASK_STATE_AUTH_REQUIRED, 'sign in first');
      bus.finished();
    },
    async cancelTask(taskId: string) {
      cancelRequests.push(taskId);
      hangingTasks.get(taskId)?.();
      hangingTasks.delete(taskId);
    },
  };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const card: AgentCard = {
    name: 'Kairos test agent',
    description: 'An A2A agent for the Kairos tests',
    // The same endpoint speaks v1.0 and (legacyCompat) v0.3; the server accepts the versions listed here.
    supportedInterfaces: [
      { url: `${url}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
      { url: `${url}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '0.3' },
    ],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: false, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [],
    signatures: [],
  };
  const legacyCard = {
    protocolVersion: '0.3.0',
    name: 'Kairos test agent (v0.3)',
    description: 'The same agent, described by a v0.3 card',
    url: `${url}/a2a/jsonrpc`,
    preferredTransport: 'JSONRPC',
    version: '1.0.0',
    capabilities: { streaming: false, pushNotifications: false },
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [],
  };
  const restUrl = `${url}/a2a/rest`;
  const restCard: AgentCard = {
    ...card,
    name: 'Kairos test agent (REST)',
    supportedInterfaces: [
      { url: restUrl, protocolBinding: 'HTTP+JSON', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
      { url: restUrl, protocolBinding: 'HTTP+JSON', tenant: '', protocolVersion: '0.3' },
    ],
  };
  const legacyRestCard = {
    ...legacyCard,
    name: 'Kairos test agent (v0.3, REST)',
    url: restUrl,
    preferredTransport: 'HTTP+JSON',
  };
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  const restRequests = new DefaultRequestHandler(restCard, new InMemoryTaskStore(), executor);
  const app = express();
  app.use(express.json({ type: '*/*' }));
  app.use((req, _res, next) => {
    tokens.push(req.header('x-agent-token'));
    const method = (req.body as { method?: unknown } | undefined)?.method;
    if (req.method === 'POST' && typeof method === 'string') methods.push(method);
    next();
  });
  app.get('/legacy/agent-card.json', (_req, res) => {
    res.json(legacyCard);
  });
  app.get('/legacy-rest/agent-card.json', (_req, res) => {
    res.json(legacyRestCard);
  });
  app.use('/rest/agent-card.json', agentCardHandler({ agentCardProvider: restRequests }));
  app.use('/a2a/rest', (req, _res, next) => {
    methods.push(`${req.method} ${req.path}`);
    next();
  });
  app.use(
    '/a2a/rest',
    restHandler({
      requestHandler: restRequests,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  );
  app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: handler }));
  app.use(
    '/a2a/jsonrpc',
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  );
  server.on('request', app);

  return {
    url,
    legacyCardUrl: `${url}/legacy/agent-card.json`,
    restCardUrl: `${url}/rest/agent-card.json`,
    legacyRestCardUrl: `${url}/legacy-rest/agent-card.json`,
    received,
    methods,
    tokens,
    cancelRequests,
    hanging: () => new Promise<string>((resolve) => hangingWaiters.push(resolve)),
    async close() {
      for (const release of hangingTasks.values()) release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
