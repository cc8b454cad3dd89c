import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { assistantsApi } from '../api/endpoints.ts';
import type { Assistant, AssistantKind } from '../../sdk/index.ts';
import { refreshAll } from '../hooks/use-poll.ts';
import {
  FormProblem,
  configOf,
  fieldFor,
  initialForm,
  limitOf,
  targetFields,
  type AssistantFormState,
} from '../lib/assistant-form-state.ts';
import { AssistantKindFields } from './assistant-kind-fields.tsx';
import { Field } from './field.tsx';
import { TestCallPanel } from './test-call-panel.tsx';
import { useToast } from './toasts.tsx';

/** Create or edit an assistant of any kind (http, llm, module, agentos, langgraph, a2a), and test-call it. */
export function AssistantForm({ assistant, onDone }: { assistant?: Assistant; onDone: () => void }) {
  const [form, setForm] = useState(() => initialForm(assistant));
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
      const body = {
        name: form.name.trim(),
        description: form.description.trim() || null,
        config,
        status: form.status,
        max_concurrent: limitOf(form.maxConcurrent, 'maxConcurrent'),
        rate_limit: limitOf(form.rateLimit, 'rateLimit'),
        provider: form.provider.trim() || null,
      };
      const saved = assistant
        ? await assistantsApi.update(assistant.id, body)
        : await assistantsApi.create({ ...body, kind: form.kind });
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
          <input
            value={form.name}
            onChange={(event) => set('name', event.target.value)}
            autoComplete="off"
            placeholder="news-digest"
          />
        </Field>
        <Field label="Kind" error={errors.kind} hint={assistant ? 'The kind cannot change.' : undefined}>
          <select
            value={form.kind}
            disabled={Boolean(assistant)}
            onChange={(event) => {
              const kind = event.target.value as AssistantKind;
              set('kind', kind);
              set('targetField', targetFields[kind]?.[0]?.value ?? '');
            }}
          >
            <option value="http">HTTP endpoint</option>
            <option value="llm">LLM (OpenAI-compatible)</option>
            <option value="module">Module (registered function)</option>
            <option value="agentos">Agno AgentOS</option>
            <option value="langgraph">LangGraph server</option>
            <option value="a2a">A2A agent</option>
          </select>
        </Field>
      </div>
      <Field label="Description" error={errors.description}>
        <input
          value={form.description}
          onChange={(event) => set('description', event.target.value)}
          placeholder="What it does"
        />
      </Field>
      <AssistantKindFields form={form} errors={errors} set={set} />
      <div className="fields-grid two">
        <Field label="Timeout (seconds)" error={errors.timeout}>
          <input
            type="number"
            min={1}
            value={form.timeout}
            onChange={(event) => set('timeout', event.target.value)}
            placeholder="default"
          />
        </Field>
        <Field label="Status">
          <select value={form.status} onChange={(event) => set('status', event.target.value as 'active' | 'inactive')}>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
        </Field>
      </div>
      <div className="fields-grid two">
        <Field
          label="Max concurrent runs"
          error={errors.maxConcurrent}
          hint="Runs of this assistant at once, across all replicas."
        >
          <input
            type="number"
            min={1}
            step={1}
            value={form.maxConcurrent}
            onChange={(event) => set('maxConcurrent', event.target.value)}
            placeholder="no limit"
          />
        </Field>
        <Field
          label="Rate limit (runs per minute)"
          error={errors.rateLimit}
          hint="Runs started in any 60 seconds; more wait."
        >
          <input
            type="number"
            min={1}
            step={1}
            value={form.rateLimit}
            onChange={(event) => set('rateLimit', event.target.value)}
            placeholder="no limit"
          />
        </Field>
      </div>
      <Field
        label="Provider"
        error={errors.provider}
        hint="The name of one of your providers: its limits apply (shared with every assistant naming it); an llm assistant takes its base URL and key."
      >
        <input
          type="text"
          value={form.provider}
          onChange={(event) => set('provider', event.target.value)}
          placeholder="none"
        />
      </Field>
      <TestCallPanel kind={form.kind} config={() => configOf(form)} />
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
