import { z } from 'zod';
import { invalid } from '../errors.ts';
import { envReferenceSchema, isEnvReference, stringOrEnvSchema } from './env-reference.ts';
import { isValidTimeZone } from '../time/zone-name.ts';
import { agentApprovalSettingsSchema } from '../runs/agent-wait.ts';
import { jsonPointerProblem } from './json-pointer.ts';
import { requestTemplateVariables, unknownRequestVariable } from './request-template.ts';
import type { Assistant } from './runtime.ts';
import { parseInput } from './validation.ts';

/**
 * The config each assistant kind accepts, validated at save time. Secrets are references to
 * environment variables (`{"env": "NAME"}`); a plain string where a secret belongs is refused.
 */

function checkUrl(value: string, context: z.RefinementCtx): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    context.addIssue({ code: 'custom', message: `"${value}" is not a URL (expected http://… or https://…)` });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    context.addIssue({ code: 'custom', message: `only http and https URLs are allowed, not ${url.protocol}` });
  } else if (url.username || url.password) {
    context.addIssue({
      code: 'custom',
      message: 'credentials in the URL are not stored: put them in a header with {"env":"NAME"} instead',
    });
  } else {
    for (const key of url.searchParams.keys()) {
      if (isSecretKey(key)) {
        context.addIssue({
          code: 'custom',
          message: `the query parameter "${key}" looks like a secret: pass it in a header with {"env":"NAME"} instead`,
        });
      }
    }
  }
}

const httpUrlSchema = z.string().superRefine(checkUrl);
const timeoutSchema = z
  .number()
  .positive('must be more than 0 seconds')
  .max(86_400, 'must be at most 86400 seconds (a day)');
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headersSchema = z.record(z.string().regex(headerName, 'is not a valid HTTP header name'), stringOrEnvSchema);

const jsonPointerSchema = z.string().superRefine((value, context) => {
  const problem = jsonPointerProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** Checks that a request template uses only known variables (at save time, like input templates). */
function checkTemplate(value: unknown, context: z.RefinementCtx): void {
  const unknown = unknownRequestVariable(value, '');
  if (!unknown) return;
  context.addIssue({
    code: 'custom',
    path: unknown.path.split('.').filter(Boolean),
    message: `unknown template variable {{${unknown.variable}}}; the variables are ${requestTemplateVariables.map((name) => `{{${name}}}`).join(', ')}`,
  });
}

export const httpConfigSchema = z
  .strictObject({
    url: httpUrlSchema,
    /** Default POST; GET sends no body. */
    method: z.enum(['POST', 'PUT', 'PATCH', 'GET']).optional(),
    headers: headersSchema.optional(),
    /** A request template (any JSON); absent: Kairos's own run body. */
    body: z.unknown().superRefine(checkTemplate).optional(),
    /** How the body is sent: JSON (default) or `application/x-www-form-urlencoded`. */
    format: z.enum(['json', 'form']).optional(),
    /** Query parameters added to the URL; values are templates. */
    query: z.record(z.string().min(1), z.string().superRefine(checkTemplate)).optional(),
    /** A JSON Pointer into the answer that becomes the run's output (default: the whole answer). */
    output: jsonPointerSchema.optional(),
    timeout_s: timeoutSchema.optional(),
  })
  .superRefine((config, context) => {
    if (config.method === 'GET' && (config.body !== undefined || config.format !== undefined)) {
      context.addIssue({
        code: 'custom',
        path: [config.body !== undefined ? 'body' : 'format'],
        message: 'a GET request has no body: send values in config.query, or use POST, PUT or PATCH',
      });
    }
    if (
      config.format === 'form' &&
      config.body !== undefined &&
      (typeof config.body !== 'object' || config.body === null || Array.isArray(config.body))
    ) {
      context.addIssue({
        code: 'custom',
        path: ['body'],
        message: 'a form body must be an object of field names to values',
      });
    }
  });

/** Exactly one of `fields` is set. */
function exactlyOne(fields: readonly string[], hint: string) {
  return (config: Record<string, unknown>, context: z.RefinementCtx) => {
    const present = fields.filter((field) => config[field] !== undefined);
    if (present.length === 1) return;
    context.addIssue({
      code: 'custom',
      path: [present[1] ?? fields[0]!],
      message:
        present.length === 0
          ? `one of ${fields.join(', ')} is required (${hint})`
          : `give only one of ${present.join(', ')}`,
    });
  };
}

const remoteId = z.string().trim().min(1).max(500);

export const agentosConfigSchema = z
  .strictObject({
    /** The AgentOS server, e.g. https://agents.example.com (routes: /agents/{id}/runs, /teams/…, /workflows/…). */
    base_url: httpUrlSchema,
    agent_id: remoteId.optional(),
    team_id: remoteId.optional(),
    workflow_id: remoteId.optional(),
    /** Sent as the `user_id` form field; default: the run's owner (a Kairos user id). */
    user_id: z.string().min(1).max(500).optional(),
    headers: headersSchema.optional(),
    timeout_s: timeoutSchema.optional(),
  })
  .superRefine(exactlyOne(['agent_id', 'team_id', 'workflow_id'], 'the AgentOS agent, team or workflow to run'));

export const langgraphConfigSchema = z
  .strictObject({
    /** The LangGraph Platform, LangGraph Server or Aegra deployment. */
    base_url: httpUrlSchema,
    assistant_id: remoteId.optional(),
    graph_id: remoteId.optional(),
    /** A key of the final state values that becomes the output (default: all the values). */
    output_key: z.string().min(1).optional(),
    /** Defaults for the run's `config` and `context` (a schedule's own take precedence). */
    config: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    headers: headersSchema.optional(),
    timeout_s: timeoutSchema.optional(),
  })
  .superRefine(exactlyOne(['assistant_id', 'graph_id'], 'the remote assistant or graph to run'));

export const a2aConfigSchema = z
  .strictObject({
    /** The agent card's full URL (e.g. https://agent.example.com/.well-known/agent-card.json). */
    agent_card_url: httpUrlSchema.optional(),
    /** The agent's base URL; its card is read from /.well-known/agent-card.json. */
    url: httpUrlSchema.optional(),
    headers: headersSchema.optional(),
    /** How often a returned Task is polled until it ends (default 1 s). */
    poll_interval_s: z.number().min(0.05, 'must be at least 0.05 seconds').max(60).optional(),
    timeout_s: timeoutSchema.optional(),
  })
  .superRefine(exactlyOne(['agent_card_url', 'url'], "where the agent's card is"));

export const llmConfigSchema = z.strictObject({
  base_url: httpUrlSchema,
  model: z.string().min(1, "is required (the provider's model name)"),
  api_key: envReferenceSchema.optional(),
  system_prompt: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  headers: headersSchema.optional(),
  timeout_s: timeoutSchema.optional(),
  /** Tool sets the model may call, run by Kairos as the run's owner: `["schedules"]` (docs/agents-tools.md). */
  tools: z
    .array(z.enum(['schedules'], { message: 'is not a tool set: the one there is, is "schedules"' }))
    .max(10)
    .optional(),
  /**
   * Gives the model the built-in `request_approval` tool, which parks the run until a person
   * decides (docs/waits.md): `true`, or the approval's `approvers`, `timeout` and `on_timeout`.
   */
  request_approval: z.union([z.literal(true), agentApprovalSettingsSchema]).optional(),
  /** Rounds of tool calls before the run fails (default 8). */
  max_tool_rounds: z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100').optional(),
  /** The zone of schedules the assistant creates without one (default UTC). */
  default_timezone: z
    .string()
    .refine(isValidTimeZone, { message: 'is not an IANA time zone (e.g. "America/New_York", "Europe/Paris", "UTC")' })
    .optional(),
});

export const moduleConfigSchema = z.strictObject({
  module: z.string().min(1, 'is required (the id given to defineAssistant in the config file)'),
  /** Free-form options handed to the module as `ctx.options`. */
  options: z.record(z.string(), z.unknown()).optional(),
  timeout_s: timeoutSchema.optional(),
});

export type HttpAssistantConfig = z.output<typeof httpConfigSchema>;
export type LlmAssistantConfig = z.output<typeof llmConfigSchema>;
export type ModuleAssistantConfig = z.output<typeof moduleConfigSchema>;
export type AgentosAssistantConfig = z.output<typeof agentosConfigSchema>;
export type LanggraphAssistantConfig = z.output<typeof langgraphConfigSchema>;
export type A2aAssistantConfig = z.output<typeof a2aConfigSchema>;

const configSchemas: Record<Assistant['kind'], z.ZodType> = {
  http: httpConfigSchema,
  llm: llmConfigSchema,
  module: moduleConfigSchema,
  agentos: agentosConfigSchema,
  langgraph: langgraphConfigSchema,
  a2a: a2aConfigSchema,
};

const secretWords = new Set([
  'token',
  'password',
  'passwd',
  'secret',
  'authorization',
  'apikey',
  'cookie',
  'credential',
  'credentials',
  'pwd',
]);
const secretPairs = new Set(['api key', 'private key', 'access key', 'auth key', 'client secret', 'bearer token']);

/** Whether a key (a header name, a config field) names a secret: `api_key`, `X-Auth-Token`, `Authorization`… */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (secretWords.has(words[i]!)) return true;
    if (i > 0 && secretPairs.has(`${words[i - 1]} ${words[i]}`)) return true;
  }
  return false;
}

const credentialValue = /^(bearer|basic|token)\s+\S/i;

/**
 * Refuses plain-text secrets anywhere in a config: a string under a secret-looking key, or a
 * value that is itself a credential (`Bearer …`). `{"env": "NAME"}` is the way to pass them.
 */
export function assertNoPlainSecrets(value: unknown, path: string[] = ['config']): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertNoPlainSecrets(item, [...path, String(index)]));
    return;
  }
  if (typeof value !== 'object' || value === null || isEnvReference(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const field = [...path, key];
    const plain = typeof child === 'string' && child.length > 0;
    if (plain && (isSecretKey(key) || credentialValue.test(child))) {
      throw invalid(
        field.join('.'),
        `looks like a secret and secrets are never stored: put it in an environment variable of the Kairos server and write {"env":"NAME"} here`,
      );
    }
    assertNoPlainSecrets(child, field);
  }
}

/** Validates the config of an assistant of `kind` (secrets first, then the kind's shape). */
export function parseAssistantConfig(kind: Assistant['kind'], config: unknown): Record<string, unknown> {
  assertNoPlainSecrets(config);
  return parseInput(configSchemas[kind], config, ['config']) as Record<string, unknown>;
}

const outboundFields: Partial<Record<Assistant['kind'], readonly string[]>> = {
  http: ['url'],
  llm: ['base_url'],
  agentos: ['base_url'],
  langgraph: ['base_url'],
  a2a: ['agent_card_url', 'url'],
};

/** The URL an assistant calls, for the private-address check (http: url, llm/agentos/langgraph: base_url, a2a: the card). */
export function outboundUrl(
  kind: Assistant['kind'],
  config: Record<string, unknown>,
): { field: string; url: URL } | undefined {
  const field = outboundFields[kind]?.find((name) => typeof config[name] === 'string');
  if (!field) return undefined;
  const value = config[field];
  return typeof value === 'string' ? { field: `config.${field}`, url: new URL(value) } : undefined;
}
