import { z } from 'zod';
import { invalid } from '../errors.ts';
import { envReferenceSchema, isEnvReference, stringOrEnvSchema } from './env-reference.ts';
import { isValidTimeZone } from '../time/zone-name.ts';
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
const timeoutSchema = z.number().positive('must be more than 0 seconds').max(86_400, 'must be at most 86400 seconds (a day)');
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headersSchema = z.record(z.string().regex(headerName, 'is not a valid HTTP header name'), stringOrEnvSchema);

export const httpConfigSchema = z.strictObject({
  url: httpUrlSchema,
  headers: headersSchema.optional(),
  timeout_s: timeoutSchema.optional(),
});

export const llmConfigSchema = z.strictObject({
  base_url: httpUrlSchema,
  model: z.string().min(1, 'is required (the provider\'s model name)'),
  api_key: envReferenceSchema.optional(),
  system_prompt: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().positive().optional(),
  headers: headersSchema.optional(),
  timeout_s: timeoutSchema.optional(),
  /** Tool sets the model may call, run by Kairos as the run's owner: `["schedules"]` (docs/agents-tools.md). */
  tools: z.array(z.enum(['schedules'], { message: 'is not a tool set: the one there is, is "schedules"' })).max(10).optional(),
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

const configSchemas = {
  http: httpConfigSchema,
  llm: llmConfigSchema,
  module: moduleConfigSchema,
} as const;

const secretWords = new Set(['token', 'password', 'passwd', 'secret', 'authorization', 'apikey', 'cookie', 'credential', 'credentials', 'pwd']);
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

/** The URL an assistant calls, for the private-address check (http: url, llm: base_url). */
export function outboundUrl(kind: Assistant['kind'], config: Record<string, unknown>): { field: string; url: URL } | undefined {
  const field = kind === 'http' ? 'url' : kind === 'llm' ? 'base_url' : undefined;
  if (!field) return undefined;
  const value = config[field];
  return typeof value === 'string' ? { field: `config.${field}`, url: new URL(value) } : undefined;
}
