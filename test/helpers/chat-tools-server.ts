import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat message as a tool-calling client sends it. */
export interface ToolChatMessage {
  role: string;
  content: string | null;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface ToolChatRequest {
  model: string;
  messages: ToolChatMessage[];
  tools?: Array<{ type: string; function: { name: string; description: string; parameters: Record<string, unknown> } }>;
}

/** What the scripted model answers: text, or tool calls (arguments as objects; sent as JSON text). */
export type ScriptedAnswer = { text: string } | { calls: Array<{ name: string; arguments: unknown }> };

export interface ChatToolsServer {
  baseUrl: string;
  requests: ToolChatRequest[];
  /** Protocol mistakes of the client (answered 400): tool messages without their call, bad tools, … */
  shapeErrors: string[];
  close(): Promise<void>;
}

/** What is wrong with a tool-calling chat request, or undefined. */
function shapeError(body: ToolChatRequest): string | undefined {
  if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0)
    return 'model and messages are required';
  for (const tool of body.tools ?? []) {
    if (
      tool.type !== 'function' ||
      typeof tool.function?.name !== 'string' ||
      typeof tool.function.parameters !== 'object'
    )
      return 'tools must be [{type:"function", function:{name, parameters}}]';
    if ((tool.function.parameters as { type?: unknown }).type !== 'object')
      return `tool ${tool.function.name}: parameters must be an object schema`;
  }
  const open = new Set<string>();
  for (const [index, message] of body.messages.entries()) {
    if (message.role === 'tool') {
      if (!message.tool_call_id || !open.delete(message.tool_call_id))
        return `messages[${index}]: a tool message must answer a pending tool_call_id`;
      if (typeof message.content !== 'string') return `messages[${index}].content must be a string`;
      continue;
    }
    if (open.size > 0) return `messages[${index}]: tool calls ${[...open].join(', ')} were not answered`;
    if (message.role === 'assistant' && message.tool_calls) {
      for (const call of message.tool_calls) open.add(call.id);
    } else if (typeof message.content !== 'string') {
      return `messages[${index}].content must be a string`;
    }
  }
  if (open.size > 0) return `tool calls ${[...open].join(', ')} were not answered`;
  return undefined;
}

/**
 * An OpenAI-compatible chat-completions endpoint on 127.0.0.1 whose answers a test scripts from
 * each request (a model that calls tools), checking that tool messages answer the calls made.
 */
export async function startChatToolsServer(
  script: (request: ToolChatRequest, index: number) => ScriptedAnswer,
): Promise<ChatToolsServer> {
  const requests: ToolChatRequest[] = [];
  const shapeErrors: string[] = [];
  let callCounter = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      let body: ToolChatRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ToolChatRequest;
      } catch {
        return reply(400, { error: { message: 'body is not JSON' } });
      }
      const index = requests.push(body) - 1;
      const problem = shapeError(body);
      if (problem) {
        shapeErrors.push(problem);
        return reply(400, { error: { message: problem, type: 'invalid_request_error' } });
      }
      let answer: ScriptedAnswer;
      try {
        answer = script(body, index);
      } catch (error) {
        shapeErrors.push(`script: ${(error as Error).message}`);
        return reply(500, { error: { message: (error as Error).message } });
      }
      const message =
        'text' in answer
          ? { role: 'assistant', content: answer.text }
          : {
              role: 'assistant',
              content: null,
              tool_calls: answer.calls.map((call) => ({
                id: `call_${++callCounter}`,
                type: 'function',
                function: { name: call.name, arguments: JSON.stringify(call.arguments) },
              })),
            };
      reply(200, {
        id: `chatcmpl-${index}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message, finish_reason: 'text' in answer ? 'stop' : 'tool_calls' }],
        usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    shapeErrors,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The last message of a request. */
export const lastMessage = (request: ToolChatRequest): ToolChatMessage => request.messages.at(-1)!;
