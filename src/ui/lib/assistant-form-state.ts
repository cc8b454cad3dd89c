import type { Assistant, AssistantKind } from '../../sdk/index.ts';

/** The assistant form's fields, as text, for every kind (only the chosen kind's are sent). */
export interface AssistantFormState {
  name: string;
  description: string;
  kind: AssistantKind;
  status: 'active' | 'inactive';
  url: string;
  method: string;
  format: string;
  headers: string;
  body: string;
  query: string;
  output: string;
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  systemPrompt: string;
  temperature: string;
  maxTokens: string;
  module: string;
  options: string;
  configJson: string;
  /** agentos: agent_id | team_id | workflow_id; langgraph: assistant_id | graph_id; a2a: agent_card_url | url. */
  targetField: string;
  targetId: string;
  userId: string;
  outputKey: string;
  pollInterval: string;
  timeout: string;
  /** The provider limits (not part of config): empty for no limit. */
  maxConcurrent: string;
  rateLimit: string;
  /** The provider it names (docs/gates.md "Providers"); empty for none. */
  provider: string;
}

export type FormField = keyof AssistantFormState;

/** Which config field names the remote target, per kind, with the first as default. */
export const targetFields: Partial<Record<AssistantKind, Array<{ value: string; label: string }>>> = {
  agentos: [
    { value: 'agent_id', label: 'Agent' },
    { value: 'team_id', label: 'Team' },
    { value: 'workflow_id', label: 'Workflow' },
  ],
  langgraph: [
    { value: 'assistant_id', label: 'Assistant id' },
    { value: 'graph_id', label: 'Graph id' },
  ],
  a2a: [
    { value: 'url', label: 'Agent base URL' },
    { value: 'agent_card_url', label: 'Agent card URL' },
  ],
};

const str = (value: unknown) =>
  value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2);
const jsonText = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

function target(kind: AssistantKind, config: Record<string, unknown>): { field: string; id: string } {
  const options = targetFields[kind] ?? [];
  const found = options.find((option) => typeof config[option.value] === 'string');
  return { field: found?.value ?? options[0]?.value ?? '', id: found ? String(config[found.value]) : '' };
}

export function initialForm(assistant?: Assistant): AssistantFormState {
  const c = assistant?.config ?? {};
  const kind = assistant?.kind ?? 'http';
  const chosen = target(kind, c);
  return {
    name: assistant?.name ?? '',
    description: assistant?.description ?? '',
    kind,
    status: assistant?.status ?? 'active',
    url: kind === 'a2a' ? '' : str(c.url),
    method: str(c.method) || 'POST',
    format: str(c.format) || 'json',
    headers: c.headers ? jsonText(c.headers) : '',
    body: jsonText(c.body),
    query: c.query ? jsonText(c.query) : '',
    output: str(c.output),
    baseUrl: str(c.base_url),
    model: str(c.model),
    apiKeyEnv: (c.api_key as { env?: string } | undefined)?.env ?? '',
    systemPrompt: str(c.system_prompt),
    temperature: str(c.temperature),
    maxTokens: str(c.max_tokens),
    module: str(c.module),
    options: c.options ? jsonText(c.options) : '',
    configJson: '',
    targetField: chosen.field,
    targetId: chosen.id,
    userId: str(c.user_id),
    outputKey: str(c.output_key),
    pollInterval: str(c.poll_interval_s),
    timeout: str(c.timeout_s),
    maxConcurrent: str(assistant?.max_concurrent),
    rateLimit: str(assistant?.rate_limit),
    provider: str(assistant?.provider),
  };
}

/** A limit field as the API takes it: null when empty, else a whole number of at least 1. */
export function limitOf(text: string, field: 'maxConcurrent' | 'rateLimit'): number | null {
  if (!text.trim()) return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new FormProblem(field, 'A whole number of at least 1, or empty for no limit.');
  return value;
}

/** A field the form itself finds wrong (before asking the server). */
export class FormProblem extends Error {
  constructor(
    readonly field: FormField,
    message: string,
  ) {
    super(message);
  }
}

function json(text: string, field: FormField): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new FormProblem(field, 'Not valid JSON.');
  }
}

/** The `config` the form describes for its kind (throws FormProblem for unreadable JSON). */
export function configOf(form: AssistantFormState): Record<string, unknown> {
  const timeout = form.timeout.trim() ? { timeout_s: Number(form.timeout) } : {};
  const number = (value: string) => (value.trim() ? Number(value) : undefined);
  const headers = json(form.headers, 'headers');
  const withHeaders = headers === undefined ? {} : { headers };
  const remote = form.targetId.trim() ? { [form.targetField]: form.targetId.trim() } : {};
  switch (form.kind) {
    case 'http': {
      const body = json(form.body, 'body');
      const query = json(form.query, 'query');
      return {
        url: form.url.trim(),
        ...(form.method !== 'POST' && { method: form.method }),
        ...(form.format !== 'json' && { format: form.format }),
        ...withHeaders,
        ...(body !== undefined && { body }),
        ...(query !== undefined && { query }),
        ...(form.output.trim() !== '' && { output: form.output.trim() }),
        ...timeout,
      };
    }
    case 'llm':
      return {
        base_url: form.baseUrl.trim(),
        model: form.model.trim(),
        ...(form.apiKeyEnv.trim() && { api_key: { env: form.apiKeyEnv.trim() } }),
        ...(form.systemPrompt.trim() && { system_prompt: form.systemPrompt }),
        ...(number(form.temperature) !== undefined && { temperature: number(form.temperature) }),
        ...(number(form.maxTokens) !== undefined && { max_tokens: number(form.maxTokens) }),
        ...timeout,
      };
    case 'module': {
      const options = json(form.options, 'options');
      return { module: form.module.trim(), ...(options !== undefined && { options }), ...timeout };
    }
    case 'agentos':
      return {
        base_url: form.baseUrl.trim(),
        ...remote,
        ...(form.userId.trim() && { user_id: form.userId.trim() }),
        ...withHeaders,
        ...timeout,
      };
    case 'langgraph':
      return {
        base_url: form.baseUrl.trim(),
        ...remote,
        ...(form.outputKey.trim() && { output_key: form.outputKey.trim() }),
        ...withHeaders,
        ...timeout,
      };
    case 'a2a':
      return {
        ...remote,
        ...withHeaders,
        ...(number(form.pollInterval) !== undefined && { poll_interval_s: number(form.pollInterval) }),
        ...timeout,
      };
  }
}

const apiFields: Record<string, FormField> = {
  name: 'name',
  description: 'description',
  kind: 'kind',
  'config.url': 'url',
  'config.method': 'method',
  'config.format': 'format',
  'config.headers': 'headers',
  'config.body': 'body',
  'config.query': 'query',
  'config.output': 'output',
  'config.base_url': 'baseUrl',
  'config.model': 'model',
  'config.api_key': 'apiKeyEnv',
  'config.system_prompt': 'systemPrompt',
  'config.temperature': 'temperature',
  'config.max_tokens': 'maxTokens',
  'config.module': 'module',
  'config.options': 'options',
  'config.agent_id': 'targetId',
  'config.team_id': 'targetId',
  'config.workflow_id': 'targetId',
  'config.assistant_id': 'targetId',
  'config.graph_id': 'targetId',
  'config.agent_card_url': 'targetId',
  'config.user_id': 'userId',
  'config.output_key': 'outputKey',
  'config.poll_interval_s': 'pollInterval',
  'config.timeout_s': 'timeout',
  max_concurrent: 'maxConcurrent',
  rate_limit: 'rateLimit',
  provider: 'provider',
};

/** The form field an API error names (`config.body.text` → the body field), if any. */
export function fieldFor(apiField: string | undefined, kind: AssistantKind): FormField | undefined {
  if (!apiField) return undefined;
  // a2a's `url` is the target field, not http's endpoint URL.
  if (kind === 'a2a' && apiField === 'config.url') return 'targetId';
  const exact = Object.keys(apiFields)
    .sort((a, b) => b.length - a.length)
    .find((key) => apiField === key || apiField.startsWith(`${key}.`) || apiField.startsWith(`${key}[`));
  if (exact) return apiFields[exact];
  if (apiField.startsWith('config')) {
    if (kind === 'http') return 'url';
    if (kind === 'module') return 'module';
    return kind === 'a2a' ? 'targetId' : 'baseUrl';
  }
  return undefined;
}
