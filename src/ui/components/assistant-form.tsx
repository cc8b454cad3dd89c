import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { assistantsApi } from '../api/endpoints.ts';
import type { Assistant, AssistantKind } from '../api/types.ts';
import { refreshAll } from '../hooks/use-poll.ts';
import { Field } from './field.tsx';
import { useToast } from './toasts.tsx';

interface AssistantFormState {
  name: string;
  description: string;
  kind: AssistantKind;
  status: 'active' | 'inactive';
  url: string;
  headers: string;
  baseUrl: string;
  model: string;
  apiKeyEnv: string;
  systemPrompt: string;
  temperature: string;
  maxTokens: string;
  module: string;
  options: string;
  timeout: string;
  /** The stored config, kept whole for kinds this form has no fields for (agentos, langgraph, a2a). */
  raw: Record<string, unknown>;
}

const str = (value: unknown) => (value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2));

function initial(assistant?: Assistant): AssistantFormState {
  const c = assistant?.config ?? {};
  return {
    name: assistant?.name ?? '',
    description: assistant?.description ?? '',
    kind: assistant?.kind ?? 'http',
    status: assistant?.status ?? 'active',
    url: str(c.url),
    headers: c.headers ? JSON.stringify(c.headers, null, 2) : '',
    baseUrl: str(c.base_url),
    model: str(c.model),
    apiKeyEnv: (c.api_key as { env?: string } | undefined)?.env ?? '',
    systemPrompt: str(c.system_prompt),
    temperature: str(c.temperature),
    maxTokens: str(c.max_tokens),
    module: str(c.module),
    options: c.options ? JSON.stringify(c.options, null, 2) : '',
    timeout: str(c.timeout_s),
    raw: c,
  };
}

class FormProblem extends Error {
  constructor(
    readonly field: keyof AssistantFormState,
    message: string,
  ) {
    super(message);
  }
}

function json(text: string, field: keyof AssistantFormState): Record<string, unknown> | undefined {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new FormProblem(field, 'Not valid JSON.');
  }
}

function configOf(form: AssistantFormState): Record<string, unknown> {
  const timeout = form.timeout.trim() ? { timeout_s: Number(form.timeout) } : {};
  const number = (value: string) => (value.trim() ? Number(value) : undefined);
  switch (form.kind) {
    case 'http':
      return { url: form.url.trim(), ...(json(form.headers, 'headers') && { headers: json(form.headers, 'headers') }), ...timeout };
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
    case 'module':
      return { module: form.module.trim(), ...(json(form.options, 'options') && { options: json(form.options, 'options') }), ...timeout };
    default:
      return { ...form.raw, ...timeout };
  }
}

const apiFields: Record<string, keyof AssistantFormState> = {
  name: 'name',
  description: 'description',
  kind: 'kind',
  'config.url': 'url',
  'config.headers': 'headers',
  'config.base_url': 'baseUrl',
  'config.model': 'model',
  'config.api_key': 'apiKeyEnv',
  'config.system_prompt': 'systemPrompt',
  'config.temperature': 'temperature',
  'config.max_tokens': 'maxTokens',
  'config.module': 'module',
  'config.options': 'options',
  'config.timeout_s': 'timeout',
};

function fieldFor(apiField: string | undefined, kind: AssistantKind): keyof AssistantFormState | undefined {
  if (!apiField) return undefined;
  const exact = Object.keys(apiFields)
    .sort((a, b) => b.length - a.length)
    .find((key) => apiField === key || apiField.startsWith(`${key}.`) || apiField.startsWith(`${key}[`));
  if (exact) return apiFields[exact];
  if (apiField.startsWith('config')) return kind === 'http' ? 'url' : kind === 'llm' ? 'baseUrl' : 'module';
  return undefined;
}

/** Create or edit an assistant of any kind (http, llm, module). Multi-step jobs are workflows (the Workflows page), not an assistant kind. */
export function AssistantForm({ assistant, onDone }: { assistant?: Assistant; onDone: () => void }) {
  const [form, setForm] = useState(() => initial(assistant));
  const [errors, setErrors] = useState<Partial<Record<keyof AssistantFormState, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [saving, setSaving] = useState(false);
  const notify = useToast();
  const set = <K extends keyof AssistantFormState>(key: K, value: AssistantFormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    setSaving(true);
    try {
      const config = configOf(form);
      const body = { name: form.name.trim(), description: form.description.trim() || null, config, status: form.status };
      const saved = assistant ? await assistantsApi.update(assistant.id, body) : await assistantsApi.create({ ...body, kind: form.kind });
      notify('success', `${assistant ? 'Saved' : 'Created'} assistant “${saved.name}”.`);
      refreshAll();
      onDone();
    } catch (error) {
      if (error instanceof FormProblem) setErrors({ [error.field]: error.message });
      else if (error instanceof ApiError) {
        const field = fieldFor(error.field, form.kind);
        if (field) setErrors({ [field]: error.message });
        else setFormError(error.message);
      } else setFormError((error as Error).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="stack" onSubmit={submit} noValidate aria-label={assistant ? 'Edit assistant' : 'New assistant'}>
      {formError && (
        <div className="banner error" role="alert">
          {formError}
        </div>
      )}
      <div className="fields-grid two">
        <Field label="Name" error={errors.name}>
          <input value={form.name} onChange={(event) => set('name', event.target.value)} autoComplete="off" placeholder="news-digest" />
        </Field>
        <Field label="Kind" error={errors.kind} hint={assistant ? 'The kind cannot change.' : undefined}>
          <select value={form.kind} disabled={Boolean(assistant)} onChange={(event) => set('kind', event.target.value as AssistantKind)}>
            <option value="http">HTTP endpoint</option>
            <option value="llm">LLM (OpenAI-compatible)</option>
            <option value="module">Module (registered function)</option>
            {!['http', 'llm', 'module'].includes(form.kind) && <option value={form.kind}>{form.kind}</option>}
          </select>
        </Field>
      </div>
      <Field label="Description" error={errors.description}>
        <input value={form.description} onChange={(event) => set('description', event.target.value)} placeholder="What it does" />
      </Field>
      {form.kind === 'http' && (
        <>
          <Field label="Endpoint URL" error={errors.url} hint="Kairos POSTs each run's input here, with an Idempotency-Key header.">
            <input value={form.url} onChange={(event) => set('url', event.target.value)} placeholder="https://agents.example.com/run" className="mono" />
          </Field>
          <Field label="Headers (JSON)" error={errors.headers} hint={'Secrets as {"env": "VAR_NAME"}, never in plain text.'}>
            <textarea className="mono" rows={3} value={form.headers} onChange={(event) => set('headers', event.target.value)} placeholder={'{"Authorization": {"env": "AGENT_TOKEN"}}'} />
          </Field>
        </>
      )}
      {form.kind === 'llm' && (
        <>
          <div className="fields-grid two">
            <Field label="Base URL" error={errors.baseUrl}>
              <input value={form.baseUrl} onChange={(event) => set('baseUrl', event.target.value)} placeholder="https://api.openai.com/v1" className="mono" />
            </Field>
            <Field label="Model" error={errors.model}>
              <input value={form.model} onChange={(event) => set('model', event.target.value)} placeholder="gpt-4o-mini" />
            </Field>
            <Field label="API key variable" error={errors.apiKeyEnv} hint="Name of an environment variable of the server">
              <input value={form.apiKeyEnv} onChange={(event) => set('apiKeyEnv', event.target.value)} placeholder="OPENAI_API_KEY" className="mono" />
            </Field>
            <Field label="Temperature" error={errors.temperature}>
              <input type="number" step="0.1" min={0} max={2} value={form.temperature} onChange={(event) => set('temperature', event.target.value)} />
            </Field>
          </div>
          <Field label="System prompt" error={errors.systemPrompt}>
            <textarea rows={3} value={form.systemPrompt} onChange={(event) => set('systemPrompt', event.target.value)} />
          </Field>
        </>
      )}
      {form.kind === 'module' && (
        <>
          <Field label="Module id" error={errors.module} hint="The id given to defineAssistant in the config file">
            <input value={form.module} onChange={(event) => set('module', event.target.value)} className="mono" />
          </Field>
          <Field label="Options (JSON)" error={errors.options}>
            <textarea className="mono" rows={3} value={form.options} onChange={(event) => set('options', event.target.value)} />
          </Field>
        </>
      )}
      <div className="fields-grid two">
        <Field label="Timeout (seconds)" error={errors.timeout}>
          <input type="number" min={1} value={form.timeout} onChange={(event) => set('timeout', event.target.value)} placeholder="default" />
        </Field>
        <Field label="Status">
          <select value={form.status} onChange={(event) => set('status', event.target.value as 'active' | 'inactive')}>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </Field>
      </div>
      <footer className="modal-actions">
        <button type="button" className="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : assistant ? 'Save assistant' : 'Create assistant'}
        </button>
      </footer>
    </form>
  );
}
